import { describe, expect, it } from 'vitest';
import { dashboardPageHtml, monitorPageHtml, WEBVIEW_DIST, webviewOptions } from '../../../../src/vscode/webview/webview-pages';

const host = { cspSource: 'https://*.vscode-cdn.net', asset: (name: string) => `https://file+.vscode-resource.vscode-cdn.net/ext/${WEBVIEW_DIST.join('/')}/${name}` };

const nonceOf = (html: string) => ({
  csp: /<meta http-equiv="Content-Security-Policy" content="[^"]*script-src 'nonce-([^']+)'/.exec(html)?.[1],
  scripts: [...html.matchAll(/<script nonce="([^"]+)"/g)].map((m) => m[1]),
});

describe.each([
  { page: 'dashboard', render: () => dashboardPageHtml(host, 'Training dashboard'), script: 'dashboard.js' },
  { page: 'monitor', render: () => monitorPageHtml(host, 'GPU Monitor'), script: 'monitor.js' },
])('the $page panel page', ({ render, script }) => {
  it('carries the CSP meta, and its only script has the CSP nonce, fresh on every render', () => {
    const renders = Array.from({ length: 20 }, render);
    const nonces = renders.map((html) => {
      const { csp, scripts } = nonceOf(html);
      expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[^']+'; style-src https:\/\/\*\.vscode-cdn\.net;/);
      expect(scripts).toEqual([csp]);
      expect(Buffer.from(csp!, 'base64')).toHaveLength(16);
      expect(html).toContain(`src="${host.asset(script)}"`);
      return csp;
    });
    expect(new Set(nonces).size).toBe(renders.length);
  });
});

describe('webview options', () => {
  it('scripts on, forms off (VS Code turns forms on with scripts unless told), resources only from dist/webview', () => {
    const root = { path: '/ext/dist/webview' };
    const options = webviewOptions(root);
    expect(options).toEqual({ enableScripts: true, enableForms: false, localResourceRoots: [root] });
    expect(options.localResourceRoots[0]).toBe(root);
    expect(WEBVIEW_DIST).toEqual(['dist', 'webview']);
  });
});
