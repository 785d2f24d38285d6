/**
 * Runtime strings go through `t`, which is `vscode.l10n.t` in the extension and a plain formatter in
 * tests. Its first argument is always a single-quoted literal with {0}-style placeholders: the package test
 * reads those literals to check every one has a Simplified Chinese entry in l10n/. The webviews' labels
 * (src/shared/protocol/dashboard-labels.ts, monitor-labels.ts) are the bundles' other messages; the host
 * translates them with webview/translate-labels.ts and sends them to the webview.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;
