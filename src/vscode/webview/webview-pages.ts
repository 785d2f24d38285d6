/**
 * The two webviews' pages and options, built the same way by the panels and by the tests: every
 * render gets a fresh nonce; scripts run, forms do not (VS Code enables forms whenever scripts are
 * on unless told otherwise); resources load only from dist/webview. No runtime dependency on
 * `vscode`: the panels pass in what their webview gives (cspSource, asWebviewUri).
 */
import { buildWebviewHtml, createNonce } from './html';

/** Where the bundled pages live, relative to the extension's folder. */
export const WEBVIEW_DIST = ['dist', 'webview'] as const;

/** What a page needs from its webview. */
export interface WebviewHost {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** `webview.asWebviewUri(extensionUri/dist/webview/name).toString()`. */
  readonly asset: (name: string) => string;
}

export interface WebviewSecurityOptions<R> {
  readonly enableScripts: true;
  readonly enableForms: false;
  readonly localResourceRoots: readonly R[];
}

/** `root`: extensionUri joined with WEBVIEW_DIST, the only folder the page may load from. */
export function webviewOptions<R>(root: R): WebviewSecurityOptions<R> {
  return { enableScripts: true, enableForms: false, localResourceRoots: [root] };
}

export function dashboardPageHtml(host: WebviewHost, title: string): string {
  return buildWebviewHtml({
    cspSource: host.cspSource,
    nonce: createNonce(),
    title,
    scriptUri: host.asset('dashboard.js'),
    styleUris: [host.asset('uPlot.min.css'), host.asset('dashboard.css')],
  });
}

export function monitorPageHtml(host: WebviewHost, title: string): string {
  return buildWebviewHtml({ cspSource: host.cspSource, nonce: createNonce(), title, scriptUri: host.asset('monitor.js'), styleUris: [host.asset('monitor.css')] });
}
