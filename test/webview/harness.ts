/**
 * Runs the real webview bundles in headless Chromium, the way VS Code would: the page is built by
 * src/vscode/webview/html.ts with its CSP and nonce, served from 127.0.0.1, and only two things
 * are stubbed, by a nonce'd script that runs first: `acquireVsCodeApi` (posts and state are
 * recorded on window) and the `--vscode-*` theme variables VS Code would inject.
 *
 * Also used by bench/chart.mjs (bundled with esbuild), so it must not import vitest.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardPageHtml, monitorPageHtml } from '../../src/vscode/webview/webview-pages';
import { CHROMIUM_ARGS } from '../chromium-args';

export type WebviewName = 'dashboard' | 'monitor';

// Tests and the bench run from the repository root (npm scripts do).
const ROOT = resolve(process.cwd());
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'webview');

/** Bundles media/<name>/main.ts as esbuild.config.mjs does, and copies the CSS beside it. */
export async function bundleWebviews(names: readonly WebviewName[], outDir = mkdtempSync(join(tmpdir(), 'gpu-env-webview-'))): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, join(ROOT, 'media', n, 'main.ts')])),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    outdir: outDir,
    logLevel: 'warning',
  });
  for (const n of names) copyFileSync(join(ROOT, 'media', n, `${n}.css`), join(outDir, `${n}.css`));
  copyFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(outDir, 'uPlot.min.css'));
  return outDir;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

/** Serves the bundles, and `/<name>.html` as the real webview page plus the stub script. */
export async function serveWebviews(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = /^\/(dashboard|monitor)\.html$/.exec(path);
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(page[1] as WebviewName, origin));
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // a browser asks; a VS Code webview would not
      return;
    }
    if (path === '/stub.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(STUB);
      return;
    }
    const file = join(dir, path.replace(/^\/+/, ''));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  origin = `http://127.0.0.1:${address.port}`;
  return { origin, close: () => new Promise((r) => server.close(() => r())) };
}

function pageHtml(name: WebviewName, origin: string): string {
  // The panels' own page builders, with this server as the webview's resource origin.
  const host = { cspSource: origin, asset: (file: string) => `${origin}/${file}` };
  const html = name === 'dashboard' ? dashboardPageHtml(host, name) : monitorPageHtml(host, name);
  const nonce = /<script nonce="([^"]+)"/.exec(html)?.[1];
  if (!nonce) throw new Error('the page has no script nonce');
  // The only change to the real page: the stub runs first, with the page's nonce.
  return html.replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/stub.js"></script>\n  <script nonce=`);
}

export const DARK_THEME: Readonly<Record<string, string>> = {
  '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-sideBar-background': '#181818',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-widget-border': '#313131',
  '--vscode-editorIndentGuide-background1': '#404040',
  '--vscode-editor-selectionBackground': '#264f78',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-button-border': '#ffffff12',
  '--vscode-settings-dropdownBackground': '#313131',
  '--vscode-settings-dropdownBorder': '#3c3c3c',
  '--vscode-settings-dropdownForeground': '#cccccc',
  '--vscode-settings-dropdownListBorder': '#454545',
  '--vscode-checkbox-background': '#313131',
  '--vscode-checkbox-border': '#3c3c3c',
  '--vscode-checkbox-foreground': '#cccccc',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-progressBar-background': '#0078d4',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-errorForeground': '#f85149',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-textLink-activeForeground': '#4daafc',
};

export const LIGHT_THEME: Readonly<Record<string, string>> = {
  ...DARK_THEME,
  '--vscode-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#717171',
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-editorWidget-background': '#f8f8f8',
  '--vscode-sideBar-background': '#f8f8f8',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-widget-border': '#e5e5e5',
  '--vscode-editorIndentGuide-background1': '#d3d3d3',
  '--vscode-editor-selectionBackground': '#add6ff',
  '--vscode-editorWarning-foreground': '#bf8803',
  '--vscode-charts-foreground': '#616161',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-yellow': '#bf8803',
  '--vscode-charts-red': '#e51400',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-settings-dropdownBackground': '#ffffff',
  '--vscode-settings-dropdownBorder': '#cecece',
  '--vscode-settings-dropdownForeground': '#3b3b3b',
  '--vscode-checkbox-background': '#f8f8f8',
  '--vscode-checkbox-border': '#cecece',
  '--vscode-checkbox-foreground': '#3b3b3b',
  '--vscode-list-activeSelectionBackground': '#e8e8e8',
  '--vscode-list-activeSelectionForeground': '#000000',
  '--vscode-list-hoverBackground': '#f2f2f2',
  '--vscode-textLink-foreground': '#005fb8',
  '--vscode-textLink-activeForeground': '#005fb8',
};

// Runs before the webview's script. It mimics what VS Code provides and records what the page
// posts, what it stores, CSP violations and any alert() an injected handler would call.
const STUB = `
(() => {
  const themes = ${JSON.stringify({ dark: DARK_THEME, light: LIGHT_THEME })};
  window.__setTheme = (name) => {
    for (const [k, v] of Object.entries(themes[name])) document.documentElement.style.setProperty(k, v);
    if (document.body) document.body.className = name === 'dark' ? 'vscode-dark' : 'vscode-light';
  };
  window.__setTheme(new URLSearchParams(location.search).get('theme') || 'dark');
  document.addEventListener('DOMContentLoaded', () => window.__setTheme(new URLSearchParams(location.search).get('theme') || 'dark'));
  window.__posted = [];
  window.__cspViolations = [];
  window.__alerted = false;
  window.alert = () => { window.__alerted = true; };
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  let state = JSON.parse(sessionStorage.getItem('state') || 'null');
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => { state = s; sessionStorage.setItem('state', JSON.stringify(s)); },
    };
  };
  // As VS Code does: messages to the webview go through JSON.
  window.__host = (m) => window.postMessage(JSON.parse(JSON.stringify(m)), '*');
})();
`;

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  // launch() gives each browser a fresh temporary profile (user-data-dir).
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** What a webview test file runs its pages on; close() ends the browser and the server and removes `dir`. */
export interface WebviewStage {
  /** A fresh folder of the test file's own (the bundles are in its `bundle/`). */
  readonly dir: string;
  readonly origin: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Bundles `names` into a fresh `<prefix>XXXXXX` temp folder, serves them from 127.0.0.1 and starts Chromium. */
export async function startWebviewStage(prefix: string, names: readonly WebviewName[]): Promise<WebviewStage> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let server: { origin: string; close(): Promise<void> } | undefined;
  try {
    server = await serveWebviews(await bundleWebviews(names, join(dir, 'bundle')));
    const browser = await launchChromium();
    const served = server;
    return {
      dir,
      origin: served.origin,
      browser,
      async close() {
        await browser.close();
        await served.close();
        removeDir();
      },
    };
  } catch (error) {
    await server?.close();
    removeDir();
    throw error;
  }
}

/** `locale`: the browser's, as VS Code's Electron has its display language (default en-US). */
export async function openWebview(browser: Browser, origin: string, name: WebviewName, options: { theme?: 'dark' | 'light'; width?: number; height?: number; locale?: string } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, ...(options.locale ? { locale: options.locale } : {}) });
  await page.goto(`${origin}/${name}.html?theme=${options.theme ?? 'dark'}`);
  return page;
}

/** Posts a host message into the page (through JSON, as VS Code does). */
export async function postToWebview(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => (window as unknown as { __host(m: unknown): void }).__host(m), message);
}

export async function postedByWebview(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
}

/**
 * Every text of the page a user can read or hear: text nodes and the aria-label, title and
 * placeholder attributes, in `own` for the page's DOM and in `library` for the shadow roots of the
 * components it uses (vscode-elements), whose texts the page does not write.
 */
export async function pageTexts(page: Page): Promise<{ own: string[]; library: string[] }> {
  return page.evaluate(() => {
    const own: string[] = [];
    const library: string[] = [];
    const visit = (root: Node, into: string[]): void => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let node: Node | null = walker.currentNode; node; node = walker.nextNode()) {
        if (node.nodeType === Node.TEXT_NODE) {
          const parent = node.parentElement?.tagName;
          if (parent !== 'SCRIPT' && parent !== 'STYLE' && node.textContent?.trim()) into.push(node.textContent.trim());
          continue;
        }
        if (!(node instanceof Element)) continue; // the shadow root itself
        const element = node;
        for (const name of ['aria-label', 'title', 'placeholder']) {
          const value = element.getAttribute(name);
          if (value?.trim()) into.push(value.trim());
        }
        if (element.shadowRoot) visit(element.shadowRoot, library);
      }
    };
    visit(document.body, own);
    return { own, library };
  });
}

/** Words of two or more Latin letters left in `texts` once each of `data` (user data, shown as it is) is taken out. */
export function latinWords(texts: readonly string[], data: readonly string[]): string[] {
  const longestFirst = [...new Set(data)].filter((d) => d !== '').sort((a, b) => b.length - a.length);
  return texts.flatMap((text) => {
    let rest = text;
    for (const d of longestFirst) rest = rest.split(d).join(' ');
    return rest.match(/[A-Za-z]{2,}/g) ?? [];
  });
}
