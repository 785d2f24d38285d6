// One journey = code-server + Chromium + a workbench page, torn down whatever happens.
//
//   await runJourney({ name: 'train-cnn', vsix: productVsix, folder: ws, trust: 'trust' }, async ({ page }) => {
//     await runCommand(page, 'GPU Env: Start GPU Environment');
//     await waitForNotification(page, /ready/);
//   });
//
// On success it saves test-artifacts/e2e/<name>.png. On failure it saves <name>.failure.png,
// <name>.error.txt, <name>.browser-console.log, <name>.code-server.log and <name>.vscode-logs/
// (server, extension host and output-channel logs), then rethrows.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './code-server';
import { clearJourneyArtifacts, failureDigest, launchBrowser, openWorkbench, saveFailureArtifacts, screenshot, type BrowserSession, type LaunchOptions, type TrustAnswer } from './browser';
import { registerTempDir, REPO_ROOT, withTimeout } from './paths';

export interface JourneyOptions extends CodeServerOptions {
  /** Journey name; artifact files are named after it. */
  name: string;
  /** Folder to open (absolute). Default: a fresh empty temp folder (removed afterwards). */
  folder?: string;
  /**
   * How to answer the Workspace Trust dialog: 'trust' (default), 'restricted', or 'ignore'
   * (leave it open). Ignored when workspaceTrust is false.
   */
  trust?: TrustAnswer | 'ignore';
  /** Bound for the whole journey body. Default 5 min. */
  timeoutMs?: number;
  browser?: LaunchOptions;
  /** Take <name>.png after a successful body. Default true. */
  finalScreenshot?: boolean;
}

export interface JourneyContext {
  name: string;
  page: Page;
  codeServer: CodeServer;
  session: BrowserSession;
  /** The opened folder. */
  folder: string;
}

export async function runJourney(opts: JourneyOptions, body: (ctx: JourneyContext) => Promise<void>): Promise<void> {
  let ownFolder: string | undefined;
  const folder = opts.folder ?? (ownFolder = mkdtempSync(path.join(os.tmpdir(), 'gpu-e2e-ws-')));
  if (ownFolder) registerTempDir(ownFolder);
  let codeServer: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let failed = false;
  clearJourneyArtifacts(opts.name);
  try {
    codeServer = await startCodeServer(opts);
    session = await launchBrowser(opts.browser);
    const { page } = session;
    const ctx: JourneyContext = { name: opts.name, page, codeServer, session, folder };
    await withTimeout(
      (async () => {
        await openWorkbench(page, codeServer!.folderUrl(folder), {
          trust: opts.workspaceTrust === false ? 'ignore' : (opts.trust ?? 'trust'),
        });
        await body(ctx);
      })(),
      opts.timeoutMs ?? 300_000,
      `journey ${opts.name}`,
    );
    if (opts.finalScreenshot !== false) await screenshot(page, opts.name);
  } catch (error) {
    failed = true;
    console.log(`[e2e] ${opts.name} failed; what the browser and VS Code said:\n${failureDigest({ ...(session ? { session } : {}), ...(codeServer ? { codeServer } : {}) })}`);
    const saved = await saveFailureArtifacts(opts.name, { session, codeServer, error });
    if (error instanceof Error) error.message += `\n(artifacts: ${saved.join(', ')})`;
    throw error;
  } finally {
    await session?.close();
    // Keep the server's temp dirs after a failure only if asked (logs are already copied).
    await codeServer?.stop({ keepFiles: failed && process.env.GPU_ENV_E2E_KEEP === '1' });
    if (ownFolder) rmSync(ownFolder, { recursive: true, force: true });
  }
}

/** One code-server + browser session shared by several journeys (see `openJourneySession`). */
export interface JourneySession extends JourneyContext {
  /**
   * Runs one journey in the shared session: bounded by `timeoutMs` (default 5 min); on success
   * saves `<name>.png` (unless `finalScreenshot: false`); on failure saves `<name>.failure.png`,
   * `<name>.error.txt`, the browser console and the code-server/VS Code logs, then rethrows.
   */
  journey(name: string, body: (ctx: JourneyContext) => Promise<void>, opts?: { timeoutMs?: number; finalScreenshot?: boolean }): Promise<void>;
  /** True once a journey (or the start) failed. */
  readonly failed: boolean;
  /** Closes Chromium and stops code-server (keeps its temp dirs after a failure with GPU_ENV_E2E_KEEP=1). */
  close(): Promise<void>;
}

/**
 * Starts code-server and Chromium and opens the workbench once, for journeys that build on each
 * other (start an environment, then open a terminal in it, ...). `opts.name` names the artifacts of
 * a failure during start-up. Always `close()` it (in `afterAll`).
 */
export async function openJourneySession(opts: JourneyOptions): Promise<JourneySession> {
  let ownFolder: string | undefined;
  const folder = opts.folder ?? (ownFolder = mkdtempSync(path.join(os.tmpdir(), 'gpu-e2e-ws-')));
  if (ownFolder) registerTempDir(ownFolder);
  let codeServer: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let failed = false;
  let closed = false;
  clearJourneyArtifacts(opts.name);
  const close = async () => {
    if (closed) return;
    closed = true;
    await session?.close();
    await codeServer?.stop({ keepFiles: failed && process.env.GPU_ENV_E2E_KEEP === '1' });
    if (ownFolder) rmSync(ownFolder, { recursive: true, force: true });
  };
  try {
    codeServer = await startCodeServer(opts);
    session = await launchBrowser(opts.browser);
    await openWorkbench(session.page, codeServer.folderUrl(folder), {
      trust: opts.workspaceTrust === false ? 'ignore' : (opts.trust ?? 'trust'),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: Math.min(opts.timeoutMs, 90_000) } : {}),
    });
  } catch (error) {
    failed = true;
    console.log(`[e2e] ${opts.name} failed to start; what the browser and VS Code said:\n${failureDigest({ ...(session ? { session } : {}), ...(codeServer ? { codeServer } : {}) })}`);
    const saved = await saveFailureArtifacts(opts.name, { session, codeServer, error });
    if (error instanceof Error) error.message += `\n(artifacts: ${saved.join(', ')})`;
    await close();
    throw error;
  }
  const cs = codeServer;
  const browser = session;
  const page = browser.page;
  return {
    name: opts.name,
    page,
    codeServer: cs,
    session: browser,
    folder,
    get failed() {
      return failed;
    },
    async journey(name, body, journeyOpts = {}) {
      if (closed) throw new Error(`journey ${name}: the shared session is already closed`);
      const ctx: JourneyContext = { name, page, codeServer: cs, session: browser, folder };
      clearJourneyArtifacts(name);
      try {
        await withTimeout(body(ctx), journeyOpts.timeoutMs ?? 300_000, `journey ${name}`);
        if (journeyOpts.finalScreenshot !== false) await screenshot(page, name);
      } catch (error) {
        failed = true;
        console.log(`[e2e] ${name} failed; what the browser and VS Code said:\n${failureDigest({ session: browser, codeServer: cs })}`);
        const saved = await saveFailureArtifacts(name, { session: browser, codeServer: cs, error });
        if (error instanceof Error) error.message += `\n(artifacts: ${saved.join(', ')})`;
        throw error;
      }
    },
    close,
  };
}

/**
 * Packages the extension in `extDir` with the repo's @vscode/vsce (`vsce package
 * --no-dependencies`) into `outFile`. Bounded by `timeoutMs` (default 120 s).
 */
export function packageVsix(extDir: string, outFile: string, timeoutMs = 120_000): Promise<string> {
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) return Promise.reject(new Error(`@vscode/vsce not installed at ${vsce}`));
  mkdirSync(path.dirname(outFile), { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', outFile],
      { cwd: extDir, timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, npm_config_yes: 'true' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`vsce package failed in ${extDir}: ${err.message}\n${stdout}\n${stderr}`));
        else resolve(outFile);
      },
    );
  });
}
