// Debian's Chromium through playwright-core, and small helpers for the VS Code workbench.
//
// All helpers take an explicit, bounded timeout (milliseconds) and throw an Error that says what
// was visible instead when they give up.
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { artifactsDir, CHROMIUM_PATH, registerTempDir, safeName, sleep, withTimeout } from './paths';
import type { CodeServer } from './code-server';
import { CHROMIUM_ARGS } from '../chromium-args';

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Chromium's throw-away profile directory. */
  userDataDir: string;
  /** Browser console messages and page errors, newest last (capped). */
  consoleLines: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** Bound for launching Chromium. Default 60 s. */
  timeoutMs?: number;
  /** Default timeout for Playwright actions on the page. Default 30 s. */
  actionTimeoutMs?: number;
}

/** Launches /usr/bin/chromium with a fresh profile and opens one page. */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'gpu-e2e-chromium-'));
  registerTempDir(userDataDir);
  const timeout = opts.timeoutMs ?? 60_000;
  let context: BrowserContext | undefined;
  try {
    // A persistent context is how Playwright takes an explicit, fresh --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      // Keep Chromium's crash reports and caches out of $HOME.
      env: {
        ...(process.env as Record<string, string>),
        XDG_CONFIG_HOME: path.join(userDataDir, '.xdg-config'),
        XDG_CACHE_HOME: path.join(userDataDir, '.xdg-cache'),
      },
      timeout,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      // VS Code reads/writes the clipboard for copy/paste commands.
      permissions: ['clipboard-read', 'clipboard-write'],
      // Let the harness (not Playwright's default handlers) decide how the process ends.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    context.setDefaultTimeout(opts.actionTimeoutMs ?? 30_000);
    context.setDefaultNavigationTimeout(90_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    const push = (line: string) => {
      consoleLines.push(`${new Date().toISOString()} ${line}`);
      if (consoleLines.length > 2000) consoleLines.splice(0, consoleLines.length - 2000);
    };
    page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => push(`[pageerror] ${e.stack ?? e.message}`));
    page.on('crash', () => push('[crash] page crashed'));
    const ctx = context;
    let closed = false;
    return {
      context,
      page,
      userDataDir,
      consoleLines,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await withTimeout(ctx.close(), 15_000, 'closing Chromium');
        } catch {
          // Playwright kills the browser process when close() cannot finish; nothing else to do.
        }
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  } catch (e) {
    if (context) await context.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`could not launch ${CHROMIUM_PATH}: ${(e as Error).message}`, { cause: e });
  }
}

// ---------------------------------------------------------------------------------------------
// Workbench

/** Waits until the workbench has rendered (activity bar + status bar). */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar').first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

export type TrustAnswer = 'trust' | 'restricted';

/**
 * Answers the "Do you trust the authors of the files in this folder?" dialog.
 * Returns false if no such dialog appeared within `timeoutMs` (e.g. the folder is already trusted,
 * or code-server runs with --disable-workspace-trust).
 */
export async function answerTrustDialog(page: Page, answer: TrustAnswer, timeoutMs = 20_000): Promise<boolean> {
  const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'Do you trust the authors' });
  try {
    await dialog.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    return false;
  }
  const label = answer === 'trust' ? 'Yes, I trust the authors' : "No, I don't trust the authors";
  await dialog.first().locator('.monaco-button', { hasText: label }).first().click();
  await dialog.first().waitFor({ state: 'hidden', timeout: 15_000 });
  // The status bar (and extension enablement) follows about half a second later.
  const deadline = Date.now() + 15_000;
  while ((await isRestrictedMode(page)) !== (answer === 'restricted')) {
    if (Date.now() > deadline) throw new Error(`workspace trust did not become "${answer}" after answering the dialog`);
    await sleep(100);
  }
  return true;
}

/** True when the status bar shows the "Restricted Mode" indicator. */
export async function isRestrictedMode(page: Page): Promise<boolean> {
  return (await page.locator('#status\\.workspaceTrust').filter({ hasText: 'Restricted Mode' }).count()) > 0;
}

/**
 * Trusts the open folder after the fact (Restricted Mode → trusted): opens the Workspace Trust
 * editor and clicks its "Trust" button. Waits until the Restricted Mode indicator is gone.
 */
export async function trustWorkspace(page: Page, timeoutMs = 30_000): Promise<void> {
  await runCommand(page, 'Workspaces: Manage Workspace Trust', { timeoutMs });
  const editor = page.locator('.workspace-trust-editor');
  await editor.waitFor({ state: 'visible', timeout: timeoutMs });
  await editor.locator('.monaco-button', { hasText: /^Trust$/ }).first().click({ timeout: timeoutMs });
  // Trusting may show a confirmation dialog for the parent folder in some versions.
  const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^(Trust|Yes)/ });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isRestrictedMode(page))) return;
    if (await confirm.count()) await confirm.first().click().catch(() => undefined);
    await sleep(250);
  }
  throw new Error('workspace still in Restricted Mode after clicking Trust');
}

/** Opens `url` and waits for the workbench; optionally answers the trust dialog. */
export async function openWorkbench(
  page: Page,
  url: string,
  opts: { trust?: TrustAnswer | 'ignore'; timeoutMs?: number; trustDialogTimeoutMs?: number } = {},
): Promise<void> {
  await page.goto(url, { timeout: opts.timeoutMs ?? 90_000, waitUntil: 'domcontentloaded' });
  await waitForWorkbench(page, opts.timeoutMs ?? 90_000);
  if (opts.trust && opts.trust !== 'ignore') {
    await answerTrustDialog(page, opts.trust, opts.trustDialogTimeoutMs ?? 20_000);
  }
}

/** Where the web workbench stores the editor part's layout (its open editors, webviews included). */
const EDITOR_LAYOUT_KEY = 'memento/workbench.parts.editor';

/**
 * Whether the workspace's stored editor layout (IndexedDB `vscode-web-state-db-<workspace>`, table
 * ItemTable, key memento/workbench.parts.editor) mentions `needle`. The web workbench saves it every
 * few seconds while idle and cannot finish saving it during an unload ("Long running operations
 * during shutdown are unsupported in the web"), so a reload right after an editor opened comes back
 * without that editor.
 */
export async function storedWorkbenchStateHas(page: Page, needle: string): Promise<boolean> {
  return page.evaluate(async ({ text, key }) => {
    const names = (await indexedDB.databases()).map((db) => db.name ?? '').filter((name) => name.startsWith('vscode-web-state-db-') && !name.endsWith('-global'));
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error(`cannot open ${name}`));
      });
      try {
        if (!db.objectStoreNames.contains('ItemTable')) continue;
        const value = await new Promise<unknown>((resolve, reject) => {
          const read = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').get(key);
          read.onsuccess = () => resolve(read.result);
          read.onerror = () => reject(read.error ?? new Error(`cannot read ${key}`));
        });
        if (typeof value === 'string' && value.includes(text)) return true;
      } finally {
        db.close();
      }
    }
    return false;
  }, { text: needle, key: EDITOR_LAYOUT_KEY });
}

/** Waits (bounded) until the stored editor layout does (or does not) mention `needle`. */
export async function waitForStoredWorkbenchState(page: Page, needle: string, present: boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await storedWorkbenchStateHas(page, needle).catch(() => !present)) === present) return;
    await sleep(500);
  }
  throw new Error(`the workbench's stored editor layout ${present ? 'never mentioned' : 'still mentions'} ${needle} after ${timeoutMs} ms`);
}

/** Reloads the page (like "Developer: Reload Window") and waits for the workbench again. */
export async function reloadWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.reload({ timeout: timeoutMs, waitUntil: 'domcontentloaded' });
  await waitForWorkbench(page, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// Command palette / quick input

const QUICK_INPUT = '.quick-input-widget';

/** The extension ids of the webviews on the page whose content has not arrived yet. */
async function loadingWebviews(page: Page): Promise<string[]> {
  const loading: string[] = [];
  for (const frame of page.frames()) {
    const url = frame.url();
    // A webview's host frame (pre/index.html) swaps its content frame from #pending-frame to
    // #active-frame when the content has loaded.
    if (!/\/webview\/browser\/pre\/index\.html\?/.test(url)) continue;
    const settled = await frame
      .evaluate(() => document.getElementById('active-frame') !== null && document.getElementById('pending-frame') === null)
      .catch(() => true); // detached meanwhile: gone, not loading
    if (!settled) loading.push(new URL(url).searchParams.get('extensionId') ?? url);
  }
  return loading;
}

/**
 * Waits until no webview on the page is still loading. A webview revealed with focus only takes
 * it when its frame is ready and again when its content arrives (VS Code queues the "focus" message
 * until then), and that closes a quick input opened in between: under load that is seconds after
 * the panel appeared (the frame first waits for its service worker), and the palette a journey had
 * just opened vanished under `fill` ("element is not visible"). A webview that never loads fails
 * here, naming it.
 */
export async function waitForWebviewsSettled(page: Page, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let loading = await loadingWebviews(page);
  while (loading.length > 0) {
    if (Date.now() > deadline) {
      throw new Error(`webview(s) of ${loading.join(', ')} still loading after ${timeoutMs} ms (a blank webview; see the browser console)`);
    }
    await sleep(200);
    loading = await loadingWebviews(page);
  }
}

async function openQuickInput(page: Page, timeoutMs: number): Promise<Locator> {
  const widget = page.locator(QUICK_INPUT);
  // A webview still loading would take the focus and close the palette under our typing.
  await waitForWebviewsSettled(page);
  for (let attempt = 0; attempt < 3; attempt++) {
    // Close a stale quick input first, then press F1.
    if (await widget.isVisible()) {
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
    // F1 pressed inside the terminal works but makes VS Code show a "Some keybindings don't go
    // to the terminal" toast; take focus out of the terminal first.
    await page
      .evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (el?.closest('.xterm')) el.blur();
      })
      .catch(() => undefined);
    await page.keyboard.press('F1');
    try {
      await widget.waitFor({ state: 'visible', timeout: Math.min(timeoutMs, 10_000) });
      return widget;
    } catch {
      // Focus may have been in an iframe (webview) that swallowed F1: move focus back to the
      // workbench document and try again.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()).catch(() => undefined);
      await page.locator('.monaco-workbench').first().focus().catch(() => undefined);
    }
  }
  throw new Error('the command palette did not open (F1)');
}

async function visibleQuickPickLabels(widget: Locator): Promise<string[]> {
  return widget.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) =>
    rows.map((r) => {
      const label = r.querySelector('.label-name') as HTMLElement | null;
      return (label?.textContent ?? r.getAttribute('aria-label') ?? '').replace(/\s+/g, ' ').trim();
    }),
  );
}

/** What the quick input currently shows (value, placeholder, title, message, rows). */
async function quickInputSignature(widget: Locator): Promise<string> {
  return widget
    .evaluate((w) => {
      const input = w.querySelector('.quick-input-box input') as HTMLInputElement | null;
      const rows = Array.from(w.querySelectorAll('.quick-input-list .monaco-list-row .label-name'))
        .slice(0, 20)
        .map((e) => e.textContent ?? '');
      return JSON.stringify([
        input?.value,
        input?.placeholder,
        w.querySelector('.quick-input-title')?.textContent,
        w.querySelector('.quick-input-message')?.textContent,
        rows,
      ]);
    })
    .catch(() => '');
}

/**
 * After accepting a quick input: waits until it is hidden or shows something else. (A command
 * that opens its own quick pick reuses the same widget, so "hidden" alone is not enough.)
 */
async function waitQuickInputDone(widget: Locator, before: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await widget.isVisible())) return;
    if ((await quickInputSignature(widget)) !== before) return;
    if (Date.now() > deadline) throw new Error(`the quick input did not close or change after ${what} (${timeoutMs} ms)`);
    await sleep(100);
  }
}

/**
 * Types `text` into the quick input (which must be open) and clicks the row whose label matches
 * `pick` exactly (string) or by RegExp. Waits for the quick input to close or change.
 */
async function pickQuickInputRow(page: Page, widget: Locator, text: string, pick: string | RegExp, timeoutMs: number) {
  const input = widget.locator('.quick-input-box input');
  await input.fill(text);
  const deadline = Date.now() + timeoutMs;
  let labels: string[] = [];
  while (Date.now() < deadline) {
    labels = await visibleQuickPickLabels(widget);
    const idx = labels.findIndex((l) => (typeof pick === 'string' ? l === pick : pick.test(l)));
    if (idx >= 0) {
      const before = await quickInputSignature(widget);
      await widget.locator('.quick-input-list .monaco-list-row').nth(idx).click();
      await waitQuickInputDone(widget, before, Math.max(5000, deadline - Date.now()), `picking ${String(pick)}`);
      return;
    }
    await sleep(200);
  }
  await page.keyboard.press('Escape').catch(() => undefined);
  throw new Error(`no quick-input entry ${String(pick)} for "${text}"; visible: ${JSON.stringify(labels)}`);
}

/**
 * Runs a command from the command palette by its full title as shown there
 * ("Category: Title", e.g. "GPU E2E Smoke: Say Hello").
 */
export async function runCommand(page: Page, title: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const widget = await openQuickInput(page, timeoutMs);
  await pickQuickInputRow(page, widget, `>${title}`, title, timeoutMs);
}

/** True when the command palette lists a command with exactly this title (waits up to timeoutMs). */
export async function isCommandAvailable(page: Page, title: string, timeoutMs = 5_000): Promise<boolean> {
  const widget = await openQuickInput(page, timeoutMs);
  await widget.locator('.quick-input-box input').fill(`>${title}`);
  const deadline = Date.now() + timeoutMs;
  let found = false;
  while (!found && Date.now() < deadline) {
    found = (await visibleQuickPickLabels(widget)).includes(title);
    if (!found) await sleep(200);
  }
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  return found;
}

/** Opens a view by name through "View: Open View..." (the `view ` quick access). */
export async function openView(page: Page, name: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const widget = await openQuickInput(page, timeoutMs);
  const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');
  await pickQuickInputRow(page, widget, `view ${name}`, re, timeoutMs);
}

/**
 * Answers an open quick pick / input box (e.g. one shown by a product command): types `text`
 * and, if `pick` is given, clicks the matching row; otherwise presses Enter.
 */
export async function answerQuickInput(
  page: Page,
  opts: { text?: string; pick?: string | RegExp; timeoutMs?: number },
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const widget = page.locator(QUICK_INPUT);
  await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  if (opts.pick !== undefined) {
    const input = widget.locator('.quick-input-box input');
    const current = opts.text ?? (await input.inputValue());
    await pickQuickInputRow(page, widget, current, opts.pick, timeoutMs);
  } else {
    if (opts.text !== undefined) await widget.locator('.quick-input-box input').fill(opts.text);
    const before = await quickInputSignature(widget);
    await widget.locator('.quick-input-box input').press('Enter');
    await waitQuickInputDone(widget, before, timeoutMs, 'Enter');
  }
}

// ---------------------------------------------------------------------------------------------
// Notifications

export interface NotificationInfo {
  message: string;
  source: string;
  buttons: string[];
}

const NOTIFICATION_ITEM = '.notifications-toasts .notification-list-item, .notifications-center .notification-list-item';

/** Notifications currently visible as toasts (and in the notification center, if open). */
export async function getNotifications(page: Page): Promise<NotificationInfo[]> {
  return page.locator(NOTIFICATION_ITEM).evaluateAll((items) =>
    items.map((it) => ({
      message: (it.querySelector('.notification-list-item-message')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      source: (it.querySelector('.notification-list-item-source')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      buttons: Array.from(it.querySelectorAll('.notification-list-item-buttons-container .monaco-button')).map((b) =>
        (b.textContent ?? '').trim(),
      ),
    })),
  );
}

/** Waits for a notification whose message contains `match` (or matches the RegExp). */
export async function waitForNotification(
  page: Page,
  match: string | RegExp,
  opts: { timeoutMs?: number } = {},
): Promise<Locator> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const item = page
    .locator(NOTIFICATION_ITEM)
    .filter({ has: page.locator('.notification-list-item-message', { hasText: match }) })
    .first();
  try {
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const seen = await getNotifications(page).catch(() => []);
    throw new Error(`no notification matching ${String(match)} within ${timeoutMs} ms; visible: ${JSON.stringify(seen)}`);
  }
  return item;
}

/** Clicks a button (e.g. "Retry", "Open Log") on the notification matching `match`. */
export async function clickNotificationButton(
  page: Page,
  match: string | RegExp,
  button: string,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const item = await waitForNotification(page, match, opts);
  await item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: button }).first().click();
}

/** Clears all notifications ("Notifications: Clear All Notifications"). */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

// ---------------------------------------------------------------------------------------------
// Views and trees

/**
 * The element holding the view `view` (its pane header text, case-insensitive), falling back to a
 * side bar / panel whose title matches (a view container with a single view shows no pane header).
 */
export function viewLocator(page: Page, view: string): Locator {
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: view }) });
  const part = page
    .locator('.part.sidebar, .part.auxiliarybar, .part.panel')
    .filter({ has: page.locator('.composite.title', { hasText: view }) });
  return pane.or(part).first();
}

/** Labels of the rows currently rendered in a view's tree/list. */
export async function getTreeItems(page: Page, view: string): Promise<string[]> {
  return viewLocator(page, view)
    .locator('.monaco-list-row')
    .evaluateAll((rows) =>
      rows.map((r) =>
        ((r.querySelector('.label-name') as HTMLElement | null)?.textContent ?? r.getAttribute('aria-label') ?? '')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    );
}

/**
 * Finds a tree item by its label (exact string, or RegExp) in a view (or anywhere in the
 * workbench if `view` is omitted). Returns the row's Locator (click it, read its aria-label, ...).
 */
export async function findTreeItem(
  page: Page,
  label: string | RegExp,
  opts: { view?: string; timeoutMs?: number } = {},
): Promise<Locator> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const scope = opts.view ? viewLocator(page, opts.view) : page.locator('.monaco-workbench');
  const re = typeof label === 'string' ? new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : label;
  const row = scope
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: re }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    const seen = opts.view ? await getTreeItems(page, opts.view).catch(() => []) : [];
    throw new Error(
      `no tree item ${String(label)}${opts.view ? ` in view "${opts.view}"` : ''} within ${timeoutMs} ms` +
        (opts.view ? `; rows: ${JSON.stringify(seen)}` : ''),
    );
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Status bar

export interface StatusBarItem {
  /** Element id: built-ins look like `status.workspaceTrust`; extension items `<publisher>.<name>.<id>`. */
  id: string;
  text: string;
  ariaLabel: string;
}

export async function getStatusBarItems(page: Page): Promise<StatusBarItem[]> {
  return page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
    els.map((e) => ({
      id: e.id,
      text: ((e as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim(),
      ariaLabel: e.getAttribute('aria-label') ?? '',
    })),
  );
}

/** Waits for a status bar item whose text, aria-label or id matches. Returns its Locator. */
export async function waitForStatusBarItem(
  page: Page,
  match: string | RegExp,
  opts: { timeoutMs?: number } = {},
): Promise<Locator> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const test = (s: string) => (typeof match === 'string' ? s.includes(match) : match.test(s));
  const deadline = Date.now() + timeoutMs;
  let items: StatusBarItem[] = [];
  while (Date.now() < deadline) {
    items = await getStatusBarItems(page);
    const idx = items.findIndex((i) => test(i.text) || test(i.ariaLabel) || test(i.id));
    if (idx >= 0) return page.locator('.part.statusbar .statusbar-item').nth(idx);
    await sleep(250);
  }
  throw new Error(`no status bar item matching ${String(match)} within ${timeoutMs} ms; items: ${JSON.stringify(items)}`);
}

// ---------------------------------------------------------------------------------------------
// Terminal

/**
 * The visible text of the active terminal (DOM renderer rows; the harness sets
 * terminal.integrated.gpuAcceleration=off so they exist), lines joined by \n, trailing spaces trimmed.
 */
export async function readTerminalText(page: Page): Promise<string> {
  const texts = await page.locator('.terminal-wrapper.active .xterm, .integrated-terminal .xterm').evaluateAll((terms) =>
    terms.map((t) => {
      const rows = t.querySelector('.xterm-rows');
      if (rows && rows.children.length > 0) {
        return Array.from(rows.children).map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').replace(/\s+$/, '')).join('\n');
      }
      const a11y = t.querySelector('.xterm-accessibility-tree');
      return a11y ? Array.from(a11y.children).map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n') : '';
    }),
  );
  return texts.filter((t) => t.trim().length > 0).join('\n').replace(/\n+$/, '');
}

/** Waits until the terminal text contains `match` (or matches the RegExp); returns the text. */
export async function waitForTerminalText(
  page: Page,
  match: string | RegExp,
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await readTerminalText(page);
    if (typeof match === 'string' ? text.includes(match) : match.test(text)) return text;
    await sleep(250);
  }
  throw new Error(`terminal did not show ${String(match)} within ${timeoutMs} ms; it shows:\n${text}`);
}

/**
 * Focuses the active terminal and types `text` followed by Enter (unless `enter: false`).
 * First waits (bounded) until the terminal shows something, i.e. the shell printed its prompt,
 * so the keystrokes are not echoed ahead of it.
 */
export async function typeInTerminal(
  page: Page,
  text: string,
  opts: { enter?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const textarea = page.locator('.terminal-wrapper.active .xterm-helper-textarea, .integrated-terminal .xterm-helper-textarea').first();
  await textarea.waitFor({ state: 'attached', timeout: timeoutMs });
  await waitForTerminalText(page, /\S/, { timeoutMs });
  await textarea.focus();
  await page.keyboard.type(text, { delay: 5 });
  if (opts.enter !== false) await page.keyboard.press('Enter');
}

// ---------------------------------------------------------------------------------------------
// Webviews

/**
 * The content frame of a webview (panel or view). VS Code nests two iframes: the outer
 * `iframe.webview` host and the inner `#active-frame` with the extension's HTML.
 * `index` picks among the ready webviews in DOM order.
 */
export function webviewFrame(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('iframe#active-frame');
}

// ---------------------------------------------------------------------------------------------
// Artifacts

/** Screenshot into test-artifacts/e2e/<journey>[.<suffix>].png; returns the path. */
export async function screenshot(page: Page, journey: string, suffix?: string): Promise<string> {
  const file = path.join(artifactsDir(), `${safeName(journey)}${suffix ? `.${safeName(suffix)}` : ''}.png`);
  // Let toast/quick-input animations settle so the picture shows the final state.
  await page.waitForTimeout(400);
  await page.screenshot({ path: file, timeout: 30_000 });
  return file;
}

/**
 * Removes what an earlier run left for `journey` (its screenshot and failure artifacts), so the
 * folder only shows this run's outcome. Called when a journey starts.
 */
export function clearJourneyArtifacts(journey: string): void {
  const dir = artifactsDir();
  const name = safeName(journey);
  for (const suffix of ['.png', '.failure.png', '.error.txt', '.browser-console.log', '.code-server.log', '.vscode-logs']) {
    rmSync(path.join(dir, `${name}${suffix}`), { recursive: true, force: true });
  }
  // <journey>.<suffix>.png screenshots taken along the way.
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`${name}.`) && f.endsWith('.png')) rmSync(path.join(dir, f), { force: true });
  }
}

/** Files under `dir` (any depth, at most `limit`) whose name matches `pattern`. */
function findFiles(dir: string, pattern: RegExp, limit = 20): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 8 || found.length >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const f = path.join(d, e);
      let isDir: boolean;
      try {
        isDir = statSync(f).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(f, depth + 1);
      else if (pattern.test(e) && found.length < limit) found.push(f);
    }
  };
  walk(dir, 0);
  return found;
}

function tailLines(file: string, n: number, keep: (line: string) => boolean = () => true): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && keep(l)).slice(-n);
  } catch {
    return [];
  }
}

/**
 * A short, readable account of what the browser and VS Code said, for the test output itself:
 * CI keeps only the log's tail, not test-artifacts/. Frames (full URLs), the browser console's
 * errors, warnings and webview/service-worker lines, the product's log channel and the
 * extension host's errors.
 */
export function failureDigest(opts: { page?: Page; session?: BrowserSession; codeServer?: CodeServer }): string {
  const out: string[] = [];
  const page = opts.page ?? opts.session?.page;
  if (page) out.push(`frames (${page.frames().length}):`, ...page.frames().map((f) => `  ${f.url().slice(0, 200)}`));
  if (opts.session) {
    const lines = opts.session.consoleLines.filter((l) => /\[(error|warning|pageerror|crash)\]|service ?worker|webview|controller/i.test(l)).slice(-25);
    out.push(`browser console (errors, warnings, webview; last ${lines.length}):`, ...lines.map((l) => `  ${l.slice(0, 300)}`));
  }
  const logs = opts.codeServer ? path.join(opts.codeServer.userDataDir, 'logs') : undefined;
  if (logs && existsSync(logs)) {
    for (const f of findFiles(logs, /GPU Environments\.log$/)) out.push(`${path.basename(f)} (last 25):`, ...tailLines(f, 25).map((l) => `  ${l.slice(0, 300)}`));
    for (const f of findFiles(logs, /^(exthost|remoteexthost)\.log$/)) {
      const errors = tailLines(f, 15, (l) => /\[(error|warning)\]/i.test(l));
      if (errors.length > 0) out.push(`${path.basename(f)} errors (last ${errors.length}):`, ...errors.map((l) => `  ${l.slice(0, 300)}`));
    }
  }
  return out.join('\n');
}

/**
 * After a failure: screenshot (`<journey>.failure.png`), the error, the browser console and the
 * code-server + VS Code logs, all into test-artifacts/e2e/. Never throws.
 */
export async function saveFailureArtifacts(
  journey: string,
  opts: { page?: Page; codeServer?: CodeServer; session?: BrowserSession; error?: unknown },
): Promise<string[]> {
  const dir = artifactsDir();
  const name = safeName(journey);
  const out: string[] = [];
  const page = opts.page ?? opts.session?.page;
  if (page) {
    try {
      out.push(await withTimeout(screenshot(page, name, 'failure'), 20_000, 'failure screenshot'));
    } catch {
      /* page gone */
    }
  }
  try {
    if (opts.error !== undefined) {
      const f = path.join(dir, `${name}.error.txt`);
      const e = opts.error as Error;
      writeFileSync(f, `${e?.stack ?? String(opts.error)}\n`);
      out.push(f);
    }
    if (opts.session) {
      const f = path.join(dir, `${name}.browser-console.log`);
      writeFileSync(f, opts.session.consoleLines.join('\n') + '\n');
      out.push(f);
    }
    if (opts.codeServer) out.push(...opts.codeServer.collectLogs(dir, name));
  } catch {
    /* best effort */
  }
  mkdirSync(dir, { recursive: true });
  return out;
}
