/**
 * What the two webview protocols (training dashboard: dashboard.ts, GPU monitor: monitor.ts)
 * share. Each webview has its own message unions and parsers, so neither side handles the other
 * view's messages.
 *
 * Both directions are validated by hand-written parsers (validate.ts): a webview is a web page
 * that can be made to post anything, and a stale webview restored from a previous version can post
 * old shapes. Every string and array is length-bounded so that a bad message cannot make the host
 * allocate without limit. No dependency on `vscode` or on Node: these files are bundled into the
 * webviews too.
 *
 * Non-finite numbers (NaN/±Infinity) cannot cross postMessage's JSON encoding, so series values are
 * `number | null`: null is a gap (a missing GPU sample, or a non-finite metric counted in
 * `nonFinite`).
 */
import { count, Invalid, must, text } from './validate';

export const PROTOCOL_VERSION = 1 as const;

/** Bounds both protocols apply. Exported so producers can respect them. */
export const LIMITS = {
  idChars: 200,
  labelChars: 200,
  textChars: 2000,
  gpus: 64,
} as const;

export type WebviewKind = 'dashboard' | 'monitor';

/** Webview → host, first: the page has loaded and listens. */
export interface ReadyFields<V extends WebviewKind> {
  readonly type: 'ready';
  readonly view: V;
  readonly protocol: number;
}

export const runId = (x: unknown): string => must(text(x, LIMITS.idChars));
export const label = (x: unknown): string => must(text(x, LIMITS.labelChars));

export function readyFields<V extends WebviewKind>(x: Record<string, unknown>, view: V): ReadyFields<V> {
  if (x.view !== view) throw new Invalid();
  return { type: 'ready', view, protocol: must(count(x.protocol)) };
}
