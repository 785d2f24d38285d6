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
 * Text the webviews show comes from the host in their `init` message, in VS Code's display
 * language: the same l10n bundles translate both sides (dashboard-labels.ts, monitor-labels.ts).
 *
 * Non-finite numbers (NaN/±Infinity) cannot cross postMessage's JSON encoding, so series values are
 * `number | null`: null is a gap (a missing GPU sample, or a non-finite metric counted in
 * `nonFinite`).
 */
import { count, Invalid, isRecord, must, text } from './validate';

export const PROTOCOL_VERSION = 1 as const;

/** Bounds both protocols apply. Exported so producers can respect them. */
export const LIMITS = {
  idChars: 200,
  labelChars: 200,
  textChars: 2000,
  gpus: 64,
} as const;

export type WebviewKind = 'dashboard' | 'monitor';

/**
 * A webview's labels by key, in English: each text is a message of the l10n bundles
 * (l10n/bundle.l10n*.json), with {0}-style placeholders that the webview fills.
 */
export type LabelTexts = Readonly<Record<string, string>>;

/** The same keys, each text in the display language. */
export type Labels<T extends LabelTexts> = { readonly [K in keyof T]: string };

/** Host → webview, first (in answer to `ready`): the page is built only from these. */
export interface InitFields<T extends LabelTexts> {
  readonly type: 'init';
  /** VS Code's display language (`vscode.env.language`, e.g. "en", "zh-cn"): the page's `lang`. */
  readonly locale: string;
  readonly labels: Labels<T>;
}

/** Webview → host, first: the page has loaded and listens. */
export interface ReadyFields<V extends WebviewKind> {
  readonly type: 'ready';
  readonly view: V;
  readonly protocol: number;
}

export const runId = (x: unknown): string => must(text(x, LIMITS.idChars));
export const label = (x: unknown): string => must(text(x, LIMITS.labelChars));

// A language tag as VS Code spells display languages: en, zh-cn, pt-br, …
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** Exactly the keys of `english`, each a non-empty text without control characters. */
export function initFields<T extends LabelTexts>(x: Record<string, unknown>, english: T): InitFields<T> {
  const locale = must(text(x.locale, 35));
  if (!LOCALE.test(locale)) throw new Invalid();
  const given = x.labels;
  const keys = Object.keys(english);
  if (!isRecord(given) || Object.keys(given).length !== keys.length) throw new Invalid();
  const labels: Record<string, string> = {};
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(given, key)) throw new Invalid();
    labels[key] = must(text(given[key], LIMITS.textChars));
  }
  return { type: 'init', locale, labels: labels as Labels<T> };
}

export function readyFields<V extends WebviewKind>(x: Record<string, unknown>, view: V): ReadyFields<V> {
  if (x.view !== view) throw new Invalid();
  return { type: 'ready', view, protocol: must(count(x.protocol)) };
}
