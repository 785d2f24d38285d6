import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { l10nCalls } from '../../support/l10n-call-scan';
import { ROOT, readJson, manifest, nls, nlsZh, strings } from '../../support/package-manifest';
const bundle = readJson('l10n/bundle.l10n.json') as Record<string, string>;
const bundleZh = readJson('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;

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
    expect(Object.keys(bundle).filter((k) => !messages.has(k)), 'stale entries').toEqual([]);
    expect(Object.keys(bundleZh).sort()).toEqual(Object.keys(bundle).sort());
  });

  it('translations keep every {n} placeholder', () => {
    for (const [message, translated] of Object.entries(bundleZh)) {
      const placeholders = (text: string) => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
      expect(placeholders(translated), message).toEqual(placeholders(message));
    }
  });
});
