// Helpers for the product journeys (journeys/product*.e2e.ts): the real extension built and
// packaged from this checkout, the harness Docker engine, a workspace owned by a non-root user, and
// the containers the journeys create (removed by label, whatever happens).
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { getNotifications, getTreeItems, viewLocator, type NotificationInfo } from './browser';
import { registerTempDir, REPO_ROOT, sleep } from './paths';

/** The stand-in PyTorch image the harness built (test/harness/base-image.sh); unset: product journeys skip. */
export const BASE_IMAGE = process.env.GPU_ENV_TEST_BASE_IMAGE?.trim() || undefined;
export const SKIP_REASON = 'GPU_ENV_TEST_BASE_IMAGE is not set (test/run-all.sh exports it after building the stand-in PyTorch image); the product journeys need it';

/** Label every gpu-env container carries (value: the environment name). */
export const NAME_LABEL = 'dev.gpu-env.name';
export const WORKSPACE_LABEL = 'dev.gpu-env.workspace';

/** Palette titles as the user sees them (category "GPU"). */
export const TITLES = {
  start: 'GPU: Start GPU Environment',
  openTerminal: 'GPU: Open Terminal in GPU Environment',
  trainCnn: 'GPU: Train CNN',
} as const;

// ---------------------------------------------------------------------------------------------
// Manifest

interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}

interface Manifest {
  contributes?: {
    commands?: ManifestCommand[];
    views?: Record<string, { id: string; name: string; type?: string }[]>;
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function localise(value: string, nls: Record<string, string>): string {
  const m = /^%(.+)%$/.exec(value);
  return m ? (nls[m[1]!] ?? value) : value;
}

/** `contributes.commands` of the repo's package.json (read now, not at import), titles resolved. */
export function contributedCommands(): { id: string; title: string; paletteTitle: string }[] {
  const manifest = readJson<Manifest>(path.join(REPO_ROOT, 'package.json'));
  const nls = readJson<Record<string, string>>(path.join(REPO_ROOT, 'package.nls.json'));
  return (manifest.contributes?.commands ?? []).map((c) => {
    const title = localise(c.title, nls);
    const category = c.category ? localise(c.category, nls) : undefined;
    return { id: c.command, title, paletteTitle: category ? `${category}: ${title}` : title };
  });
}

/** Ids of `ids` that package.json does not contribute. */
export function missingCommands(ids: readonly string[]): string[] {
  const have = new Set(contributedCommands().map((c) => c.id));
  return ids.filter((id) => !have.has(id));
}

/** The palette title package.json gives command `id` (throws if it is not contributed). */
export function paletteTitleOf(id: string): string {
  const c = contributedCommands().find((x) => x.id === id);
  if (!c) throw new Error(`package.json does not contribute ${id}`);
  return c.paletteTitle;
}

/** Ids of the contributed views (all containers). */
export function contributedViews(): string[] {
  const manifest = readJson<Manifest>(path.join(REPO_ROOT, 'package.json'));
  return Object.values(manifest.contributes?.views ?? {}).flatMap((list) => list.map((v) => v.id));
}

// ---------------------------------------------------------------------------------------------
// Processes

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd ?? REPO_ROOT, timeout: opts.timeoutMs, killSignal: 'SIGKILL', env: opts.env ?? process.env, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * The real extension: `npm run build`, then `vsce package --no-dependencies -o <dir>/gpu-env.vsix`
 * in the repo, exactly as a release would package it. `GPU_ENV_E2E_VSIX=<file>` uses a ready
 * .vsix instead (e.g. one CI already built).
 */
export async function buildProductVsix(outDir: string): Promise<string> {
  const given = process.env.GPU_ENV_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`GPU_ENV_E2E_VSIX=${given} does not exist`);
    return path.resolve(given);
  }
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'gpu-env.vsix');
  await run('npm', ['run', 'build', '--silent'], { timeoutMs: 180_000 });
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error(`@vscode/vsce is not installed at ${vsce}`);
  await run(process.execPath, [vsce, 'package', '--no-dependencies', '-o', out], {
    timeoutMs: 180_000,
    env: { ...process.env, npm_config_yes: 'true' },
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Workspace and environment names

/**
 * A fresh workspace folder owned by `uid` (the extension refuses a root-owned folder unless
 * gpuEnv.uid is set; the container user gets this uid). Under a registered temp dir.
 */
export function ownedWorkspace(parent: string, name: string, uid = 1234): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  chownSync(dir, uid, uid);
  return dir;
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `gpu-e2e-${prefix}-`));
  registerTempDir(dir);
  return dir;
}

/**
 * A name no other run (or concurrent test on the same engine) uses: `e2e-<tag>-<random>`. It is
 * recorded for run.sh, whose exit trap removes its containers if this process is killed before
 * its own afterAll runs.
 */
export function uniqueEnvName(tag: string): string {
  const name = `e2e-${tag}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  const pidDir = process.env.GPU_ENV_E2E_PID_DIR;
  if (pidDir) {
    try {
      appendFileSync(path.join(pidDir, 'environments'), `${name}\n`);
    } catch {
      /* best effort */
    }
  }
  return name;
}

/** What code-server (and so the extension host) gets: the harness engine from the environment. */
export function productEnv(): Record<string, string | undefined> {
  return { DOCKER_HOST: process.env.DOCKER_HOST };
}

export function productSettings(envName: string): Record<string, unknown> {
  return {
    'gpuEnv.baseImage': BASE_IMAGE,
    'gpuEnv.environmentName': envName,
    // Nothing starts behind the journey's back.
    'gpuEnv.autoStart': false,
  };
}

// ---------------------------------------------------------------------------------------------
// Docker (the same engine as the extension: DOCKER_HOST)

export interface ContainerRow {
  id: string;
  name: string;
  state: string;
  hostname: string;
  labels: Record<string, string>;
}

/** Containers (any state) whose label `key` (optionally `=value`) matches. Bounded: 30 s. */
export async function containersWithLabel(key: string, value?: string): Promise<ContainerRow[]> {
  const filter = value === undefined ? `label=${key}` : `label=${key}=${value}`;
  const { stdout } = await run('docker', ['ps', '-a', '--no-trunc', '--filter', filter, '--format', '{{.ID}}'], { timeoutMs: 30_000 });
  const ids = stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) return [];
  const { stdout: json } = await run('docker', ['inspect', ...ids], { timeoutMs: 30_000 });
  const parsed = JSON.parse(json) as { Id: string; Name: string; State: { Status: string }; Config: { Hostname: string; Labels: Record<string, string> | null } }[];
  return parsed.map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    state: c.State.Status,
    hostname: c.Config.Hostname,
    labels: c.Config.Labels ?? {},
  }));
}

/**
 * Removes (docker rm -f) every container labelled with one of `names` or mounting one of
 * `workspaces`. Never throws; returns what it removed, for the log.
 */
export async function removeJourneyContainers(names: readonly string[], workspaces: readonly string[] = []): Promise<string[]> {
  const removed: string[] = [];
  try {
    const rows = [
      ...(await Promise.all(names.map((n) => containersWithLabel(NAME_LABEL, n)))).flat(),
      ...(await Promise.all(workspaces.map((w) => containersWithLabel(WORKSPACE_LABEL, w)))).flat(),
    ];
    const ids = [...new Set(rows.map((r) => r.id))];
    if (ids.length > 0) {
      await run('docker', ['rm', '-f', '-v', ...ids], { timeoutMs: 60_000 });
      removed.push(...rows.filter((r, i) => rows.findIndex((x) => x.id === r.id) === i).map((r) => r.name));
    }
  } catch (e) {
    console.error(`[product] container cleanup failed: ${(e as Error).message}`);
  }
  return removed;
}

/** Runs `cmd` in the container as its main user (for checks independent of the extension). */
export async function dockerExec(container: string, cmd: string, timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run('docker', ['exec', '--user', 'dev', container, 'sh', '-c', cmd], { timeoutMs });
  return stdout;
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers specific to the product

/**
 * Waits for a notification matching `success`; fails at once (with its text) if one matching
 * `failure` shows first, instead of waiting out the whole timeout.
 */
export async function waitForOutcome(
  page: Page,
  success: RegExp,
  failure: RegExp,
  opts: { timeoutMs: number; what: string },
): Promise<NotificationInfo> {
  const deadline = Date.now() + opts.timeoutMs;
  let seen: NotificationInfo[] = [];
  while (Date.now() < deadline) {
    seen = await getNotifications(page).catch(() => seen);
    const bad = seen.find((n) => failure.test(n.message));
    if (bad) throw new Error(`${opts.what}: the product reported a failure: "${bad.message}" (buttons ${JSON.stringify(bad.buttons)})`);
    const good = seen.find((n) => success.test(n.message));
    if (good) return good;
    await sleep(500);
  }
  throw new Error(`${opts.what}: no notification matching ${String(success)} within ${opts.timeoutMs} ms; visible: ${JSON.stringify(seen)}`);
}

/** The description (greyed text after the label) of a tree row. */
export async function rowDescription(row: Locator): Promise<string> {
  return ((await row.locator('.label-description').first().textContent({ timeout: 5_000 }).catch(() => '')) ?? '').trim();
}

/**
 * If the command asked "which environment?" (a quick pick, shown when the engine has several),
 * picks `name`. Returns whether it had to. Waits at most `timeoutMs` for a pick to show.
 */
export async function pickEnvironmentIfAsked(page: Page, name: string, timeoutMs = 3_000): Promise<boolean> {
  const widget = page.locator('.quick-input-widget');
  const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) });
  try {
    await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    return false;
  }
  await row.first().click();
  return true;
}

/**
 * The frame (any depth) whose window has `global` (e.g. `__gpuEnvDashboard`): how a journey finds
 * a given webview's content among several. Bounded by `timeoutMs`.
 */
export async function frameWithGlobal(page: Page, global: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const has = await frame.evaluate((g) => typeof (window as unknown as Record<string, unknown>)[g] !== 'undefined', global).catch(() => false);
      if (has) return frame;
    }
    await sleep(500);
  }
  throw new Error(`no frame with window.${global} within ${timeoutMs} ms (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
}

/** The frame (any depth) in which `selector` matches an element. */
export async function frameWithSelector(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    await sleep(500);
  }
  throw new Error(`no frame containing ${selector} within ${timeoutMs} ms`);
}

/**
 * Waits (bounded) until the Environments view has listed the engine: rows, or its welcome text
 * ("No GPU environment on this Docker engine yet"). Throws if it shows the engine-error row
 * ("Docker engine not reachable") instead, naming the rows. Returns the rows (empty: welcome).
 */
export async function environmentsListed(page: Page, timeoutMs = 30_000, settleMs = 2_000): Promise<string[]> {
  const view = viewLocator(page, 'Environments');
  const deadline = Date.now() + timeoutMs;
  let rows: string[] = [];
  // VS Code can show the welcome text before the first listing answers, so a state only counts
  // once it has held for `settleMs`.
  let last = '';
  let since = Date.now();
  while (Date.now() < deadline) {
    rows = await getTreeItems(page, 'Environments').catch(() => []);
    if (rows.some((r) => /Docker engine not reachable/i.test(r))) {
      // Its tooltip is the error; hover to read it.
      const row = view.locator('.monaco-list-row').filter({ hasText: /Docker engine not reachable/i }).first();
      await row.hover({ timeout: 5_000 }).catch(() => undefined);
      const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /\S/ }).first();
      const tooltip = await hover.textContent({ timeout: 5_000 }).catch(() => '(no tooltip)');
      throw new Error(`the Environments view shows the engine-error row instead of a listing: ${JSON.stringify(rows)}; its tooltip: ${tooltip?.trim()}`);
    }
    const welcome = rows.length === 0 && (await view.getByText('No GPU environment on this Docker engine yet').count().catch(() => 0)) > 0;
    const state = rows.length > 0 ? JSON.stringify(rows) : welcome ? 'welcome' : '';
    if (state !== last) {
      last = state;
      since = Date.now();
    } else if (state !== '' && Date.now() - since >= settleMs) {
      return rows;
    }
    await sleep(250);
  }
  throw new Error(`the Environments view did not list anything (rows or welcome text) within ${timeoutMs} ms; rows ${JSON.stringify(rows)}`);
}
