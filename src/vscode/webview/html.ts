/**
 * The HTML of a webview: a strict CSP (nothing by default; scripts only with this page's nonce;
 * styles, images and fonts only from the webview's own resource origin), the bundled script, the
 * stylesheets, and an empty body the script fills. No data is ever put into this HTML: everything
 * arrives by message and is inserted as text.
 *
 * Pure apart from the nonce, with no runtime dependency on `vscode`, so the webview tests build
 * the very same page for headless Chromium.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** `webview.asWebviewUri(...)` of the bundled script, as a string. */
  readonly scriptUri: string;
  /** Stylesheets in load order (uPlot's before ours so ours win). */
  readonly styleUris: readonly string[];
  readonly title: string;
  /** A fresh one per page load; see createNonce. */
  readonly nonce: string;
}

/** 128 bits from the OS's CSPRNG, base64: what CSP nonces need. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function buildWebviewHtml(page: WebviewPage): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(page.nonce)) throw new Error('webview nonce must be base64 of at least 12 random bytes');
  const csp = contentSecurityPolicy(page.cspSource, page.nonce);
  const styles = page.styleUris.map((uri) => `  <link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${escapeText(page.title)}</title>
</head>
<body>
  <script nonce="${escapeAttribute(page.nonce)}" src="${escapeAttribute(page.scriptUri)}"></script>
</body>
</html>
`;
}

export function escapeAttribute(value: string): string {
  // Attributes are always double-quoted here, so single quotes (the CSP's 'none') stay readable.
  return escapeText(value).replace(/"/g, '&quot;');
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
