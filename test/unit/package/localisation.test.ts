import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_LABELS } from '../../../src/shared/protocol/dashboard-labels';
import { MONITOR_LABELS } from '../../../src/shared/protocol/monitor-labels';
import { l10nCalls, typeScriptFiles } from '../../support/l10n-call-scan';
import { ROOT, readJson, manifest, nls, nlsZh, strings } from '../../support/package-manifest';
const bundle = readJson('l10n/bundle.l10n.json') as Record<string, string>;
const bundleZh = readJson('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;

/** Each webview's labels (English, the bundles' keys) and the folder of its front-end. */
const WEBVIEW_LABELS = [
  { view: 'dashboard', labels: DASHBOARD_LABELS as Readonly<Record<string, string>>, frontEnd: 'media/dashboard' },
  { view: 'monitor', labels: MONITOR_LABELS as Readonly<Record<string, string>>, frontEnd: 'media/monitor' },
];
const webviewMessages = new Set(WEBVIEW_LABELS.flatMap(({ labels }) => Object.values(labels)));

describe('localisation', () => {
  it('every user-facing manifest string is a %key% with English and Chinese entries', () => {
    const localisable = /(^|\.)(title|description|markdownDescription|name|contents|contextualTitle|category|markdown)$/;
    const found = strings({ contributes: manifest.contributes, capabilities: manifest.capabilities }).filter(({ path }) => localisable.test(path));
    expect(found.length).toBeGreaterThan(40);
    for (const { path, value } of found) {
      const key = /^%(.+)%$/.exec(value)?.[1];
      expect(key, `${path} = ${value}`).toBeDefined();
      expect(nls[key!], `package.nls.json: ${key}`).toBeTruthy();
      expect(nlsZh[key!], `package.nls.zh-cn.json: ${key}`).toBeTruthy();
    }
  });

  it('the two nls files have the same keys and keep command links and placeholders', () => {
    expect(Object.keys(nlsZh).sort()).toEqual(Object.keys(nls).sort());
    for (const key of Object.keys(nls)) {
      const links = (text: string) => [...text.matchAll(/\(command:[\w.]+\)|`#gpuEnv\.[\w.]+#`/g)].map((m) => m[0]).sort();
      expect(links(nlsZh[key]!), key).toEqual(links(nls[key]!));
    }
  });

  it('every runtime string in src/vscode is a literal with an entry in both l10n bundles', () => {
    expect(manifest.l10n).toBe('./l10n');
    const calls = l10nCalls(ROOT, join(ROOT, 'src/vscode'));
    expect(calls.length).toBeGreaterThan(50);
    const notLiteral = calls.filter((c) => c.message === undefined).map((c) => `${c.file}:${c.line}`);
    expect(notLiteral, 't() must be called with a single-quoted literal').toEqual([]);
    const messages = new Set(calls.map((c) => c.message!));
    for (const message of messages) {
      expect(bundle[message], `l10n/bundle.l10n.json: ${message}`).toBe(message);
      expect(bundleZh[message], `l10n/bundle.l10n.zh-cn.json: ${message}`).toBeTruthy();
    }
    // The webviews' labels are the bundles' other messages (next test).
    expect(Object.keys(bundle).filter((k) => !messages.has(k) && !webviewMessages.has(k)), 'stale entries').toEqual([]);
    expect(Object.keys(bundleZh).sort()).toEqual(Object.keys(bundle).sort());
  });

  it.each(WEBVIEW_LABELS)('every $view webview label has English and Chinese entries, is used by its front-end, and is not written there as a literal', ({ labels, frontEnd }) => {
    const sources = typeScriptFiles(join(ROOT, frontEnd)).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    expect(sources.length).toBeGreaterThan(2);
    for (const [key, message] of Object.entries(labels)) {
      expect(bundle[message], `l10n/bundle.l10n.json: ${message}`).toBe(message);
      expect(bundleZh[message], `l10n/bundle.l10n.zh-cn.json: ${message} (label ${key})`).toBeTruthy();
      expect(
        // As labels.<key>, or as a key literal (chart titles, run states).
        sources.some(({ text }) => new RegExp(`labels\\.${key}\\b|'${key}'`).test(text)),
        `label ${key} is not used in ${frontEnd}`,
      ).toBe(true);
      // Words the user reads, not identifiers that happen to be spelled alike ('util', 'running').
      if (/^[A-Z]|\s/.test(message)) {
        const literal = sources.find(({ text }) => [`'${message}'`, `"${message}"`, `\`${message}\``].some((quoted) => text.includes(quoted)));
        expect(literal?.file, `${JSON.stringify(message)} is written in ${frontEnd} instead of coming from the labels`).toBeUndefined();
      }
    }
  });

  it('translations keep every {n} placeholder', () => {
    for (const [message, translated] of Object.entries(bundleZh)) {
      const placeholders = (text: string) => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
      expect(placeholders(translated), message).toEqual(placeholders(message));
    }
  });
});
