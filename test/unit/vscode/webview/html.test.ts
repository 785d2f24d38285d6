import { describe, expect, it } from 'vitest';
import { buildWebviewHtml, contentSecurityPolicy, createNonce } from '../../../../src/vscode/webview/html';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

describe('webview HTML', () => {
  it('has the strict CSP, with a fresh 128-bit nonce on the script', () => {
    const nonce = createNonce();
    expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    expect(createNonce()).not.toBe(nonce);
    const html = buildWebviewHtml({ cspSource: CSP_SOURCE, nonce, title: 'Training dashboard', scriptUri: 'https://x/dist/webview/dashboard.js', styleUris: ['https://x/a.css', 'https://x/b.css'] });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBe(`default-src 'none'; script-src 'nonce-${nonce}'; style-src ${CSP_SOURCE}; img-src ${CSP_SOURCE} data:; font-src ${CSP_SOURCE}`);
    expect(html).toContain(`<script nonce="${nonce}" src="https://x/dist/webview/dashboard.js"></script>`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.indexOf('a.css')).toBeLessThan(html.indexOf('b.css'));
    expect(html).not.toMatch(/style=|unsafe-inline|unsafe-eval/);
  });

  it('escapes what it puts into attributes and text', () => {
    const html = buildWebviewHtml({ cspSource: CSP_SOURCE, nonce: createNonce(), title: '<script>x</script>', scriptUri: 'https://x/a.js?"onload="alert(1)', styleUris: [] });
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('a.js?&quot;onload=&quot;alert(1)');
  });

  it('refuses a weak nonce', () => {
    expect(() => buildWebviewHtml({ cspSource: CSP_SOURCE, nonce: 'abc', title: '', scriptUri: '', styleUris: [] })).toThrow(/nonce/);
    expect(contentSecurityPolicy('a', 'b')).toMatch(/^default-src 'none'/);
  });
});
