// Start and stop code-server (installed by setup.sh) for one journey.
//
//   const cs = await startCodeServer({ name: 'smoke', vsix: ['/tmp/x.vsix'] });
//   await page.goto(cs.folderUrl('/path/to/workspace'));
//   ...
//   await cs.stop();   // always; kills the whole process tree
//
// Every wait is bounded. code-server binds 127.0.0.1:0 (the kernel picks a free port; we read it
// back from the log), runs with throw-away --user-data-dir / --extensions-dir / config / XDG dirs,
// and writes its stdout+stderr to `cs.logFile`.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeServerEntry, registerTempDir, sleep } from './paths';
import { startWebviewScopeProxy, type WebviewScopeProxy } from './webview-scopes';

export interface CodeServerOptions {
  /** Used in log messages and artifact names. */
  name?: string;
  /** .vsix files installed with `--install-extension` before the server starts. */
  vsix?: string | string[];
  /**
   * Workspace Trust. `true` (default): the feature is on, so the "Do you trust the authors" dialog
   * appears for a new folder (answer it with `answerTrustDialog`). `false`: passes
   * `--disable-workspace-trust` (everything trusted, no dialog).
   */
  workspaceTrust?: boolean;
  /** Extra user settings merged over the harness defaults (User/settings.json). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server (and so for the extension host and terminals). */
  env?: Record<string, string | undefined>;
  /** Extra code-server arguments. */
  extraArgs?: string[];
  /** Bound for "listening + /healthz answers". Default 90 s. */
  startTimeoutMs?: number;
  /** Bound for each `--install-extension` run. Default 120 s. */
  installTimeoutMs?: number;
}

export interface CodeServer {
  /**
   * Base URL the browser opens, e.g. `http://127.0.0.1:41234/`: the proxy in front of code-server
   * that gives each webview type its own service-worker scope (webview-scopes.ts).
   */
  readonly url: string;
  readonly port: number;
  /** code-server's own address (no proxy). */
  readonly serverUrl: string;
  readonly pid: number;
  /** The code-server stdout+stderr log. */
  readonly logFile: string;
  /** Throw-away directories (all under `tmpDir`). */
  readonly tmpDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** XDG_CONFIG_HOME given to the server (the product's state dir defaults under it). */
  readonly xdgConfigHome: string;
  /** URL that opens `folder` (absolute path) in the workbench. */
  folderUrl(folder: string): string;
  /** Copies the code-server log and VS Code's server/extension-host logs into `destDir`. */
  collectLogs(destDir: string, prefix: string): string[];
  /** Kills the process tree (SIGTERM, then SIGKILL) and removes `tmpDir` unless `keepFiles`. */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

/** Settings that keep the workbench quiet and testable. Journeys can override any of them. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.autoDetect': 'off',
  // DOM renderer, so the terminal's rows can be read from the page.
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.defaultProfile.linux': 'bash',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  // Keep toasts until a journey reads or closes them.
  'workbench.notifications.autoHide': false,
  'chat.commandCenter.enabled': false,
};

const live = new Set<number>();
let exitHookInstalled = false;

/** Pids of `rootPid`'s descendants (from /proc), children before grandchildren. */
function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // pid (comm) state ppid ... ; comm may contain spaces/parens, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      /* process went away */
    }
  }
  const out: number[] = [];
  const queue = [rootPid];
  for (let i = 0; i < queue.length && out.length < 10_000; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signalAll(pids: number[], pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig); // the process group (code-server and the helpers it forks)
  } catch {
    /* gone */
  }
  for (const p of pids) {
    try {
      process.kill(p, sig); // descendants that left the group (terminal shells call setsid)
    } catch {
      /* gone */
    }
  }
}

/** Kills `pid`, its process group and all its descendants; bounded by `graceMs` + 2 s. */
export async function killTree(pid: number, graceMs = 5000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  signalAll(pids, pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await sleep(100);
  const left = [...new Set([...pids, ...descendants(pid)])].filter(alive);
  if (left.length > 0) signalAll(left, pid, 'SIGKILL');
  const hardDeadline = Date.now() + 2000;
  while (Date.now() < hardDeadline && left.some(alive)) await sleep(50);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a journey forgot stop() or the runner is exiting: synchronous SIGKILL.
  process.on('exit', () => {
    for (const pid of live) signalAll([pid, ...descendants(pid)], pid, 'SIGKILL');
  });
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function baseArgs(dirs: { config: string; userData: string; extensions: string }): string[] {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Runs code-server once with `args` (e.g. --install-extension) and waits, bounded. */
function runOnce(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      appendFileSync(logFile, d);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      void killTree(child.pid!, 1000);
      reject(new Error(`code-server ${args.join(' ')} timed out after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts code-server; on any failure it cleans up and throws with the log's tail. */
export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const entry = codeServerEntry();
  if (!existsSync(entry)) {
    throw new Error(`code-server not found at ${entry}; run test/e2e/setup.sh first`);
  }
  installExitHook();
  const name = opts.name ?? 'code-server';
  // Short path: code-server puts a unix socket in the user-data-dir (108-byte limit).
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'gpu-e2e-'));
  registerTempDir(tmpDir);
  const userDataDir = path.join(tmpDir, 'ud');
  const extensionsDir = path.join(tmpDir, 'ext');
  const xdgConfigHome = path.join(tmpDir, 'xdg-config');
  const xdgDataHome = path.join(tmpDir, 'xdg-data');
  const config = path.join(tmpDir, 'config.yaml');
  const logFile = path.join(tmpDir, 'code-server.log');
  // Its own temporary folder (removed with tmpDir): code-server and its extension host leave
  // vscode-ipc-*.sock and vscode-typescript* behind in TMPDIR when they are killed.
  const scratch = path.join(tmpDir, 't');
  for (const d of [userDataDir, extensionsDir, xdgConfigHome, xdgDataHome, scratch, path.join(userDataDir, 'User')]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  writeFileSync(logFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: xdgConfigHome,
    XDG_DATA_HOME: xdgDataHome,
    TMPDIR: scratch,
    // Never let a password or a GitHub token from the runner's environment leak in.
    PASSWORD: undefined,
    HASHED_PASSWORD: undefined,
    GITHUB_TOKEN: undefined,
    ...(opts.env ?? {}),
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const dirs = { config, userData: userDataDir, extensions: extensionsDir };

  const cleanupDirs = () => rmSync(tmpDir, { recursive: true, force: true, maxRetries: 3 });

  // 1. Extensions.
  const vsixes = opts.vsix === undefined ? [] : Array.isArray(opts.vsix) ? opts.vsix : [opts.vsix];
  try {
    for (const vsix of vsixes) {
      if (!existsSync(vsix)) throw new Error(`vsix not found: ${vsix}`);
      appendFileSync(logFile, `--- install-extension ${vsix}\n`);
      const r = await runOnce(
        entry,
        [...baseArgs(dirs), '--force', '--install-extension', path.resolve(vsix)],
        env,
        logFile,
        opts.installTimeoutMs ?? 120_000,
      );
      if (r.code !== 0 || !/successfully installed/i.test(r.output)) {
        throw new Error(`--install-extension ${vsix} failed (exit ${r.code}):\n${r.output}`);
      }
    }
  } catch (e) {
    cleanupDirs();
    throw new Error(`[${name}] ${(e as Error).message}`, { cause: e });
  }

  // 2. The server.
  appendFileSync(logFile, '--- server\n');
  const args = [
    entry,
    ...baseArgs(dirs),
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(opts.workspaceTrust === false ? ['--disable-workspace-trust'] : []),
    ...(opts.extraArgs ?? []),
  ];
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, args, {
    env,
    cwd: tmpDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() can kill the group
  });
  const pid = child.pid;
  if (pid === undefined) {
    log.end();
    cleanupDirs();
    throw new Error(`[${name}] could not spawn code-server`);
  }
  live.add(pid);
  if (process.env.GPU_ENV_E2E_PID_DIR) {
    try {
      mkdirSync(process.env.GPU_ENV_E2E_PID_DIR, { recursive: true });
      writeFileSync(path.join(process.env.GPU_ENV_E2E_PID_DIR, String(pid)), `${tmpDir}\n`);
    } catch {
      /* best effort */
    }
  }

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    live.delete(pid);
  });
  let outText = '';
  let listenUrl: string | undefined;
  const onData = (d: Buffer) => {
    log.write(d);
    if (!listenUrl) {
      outText += d.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/?)/.exec(outText);
      if (m) listenUrl = `http://127.0.0.1:${m[2]}/`;
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  let stopped = false;
  let proxy: WebviewScopeProxy | undefined;
  const stop = async (stopOpts: { keepFiles?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    await proxy?.close();
    await killTree(pid);
    live.delete(pid);
    if (process.env.GPU_ENV_E2E_PID_DIR) rmSync(path.join(process.env.GPU_ENV_E2E_PID_DIR, String(pid)), { force: true });
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      log.end(() => {
        clearTimeout(t);
        resolve();
      });
    });
    if (!stopOpts.keepFiles) cleanupDirs();
  };

  const startTimeout = opts.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + startTimeout;
  try {
    while (!listenUrl) {
      if (exited) throw new Error(`code-server exited early (code ${exited.code}, signal ${exited.signal})`);
      if (Date.now() > deadline) throw new Error(`code-server did not report a listening address within ${startTimeout} ms`);
      await sleep(100);
    }
    for (;;) {
      if (exited) throw new Error(`code-server exited early (code ${exited.code}, signal ${exited.signal})`);
      if ((await httpStatus(`${listenUrl}healthz`, 5000)) === 200) break;
      if (Date.now() > deadline) throw new Error(`code-server /healthz did not answer 200 within ${startTimeout} ms`);
      await sleep(250);
    }
    proxy = await startWebviewScopeProxy(listenUrl);
  } catch (e) {
    const msg = `[${name}] ${(e as Error).message}\n--- ${logFile} (tail) ---\n${tail(logFile)}`;
    await stop();
    throw new Error(msg, { cause: e });
  }

  const url = proxy!.url;
  const port = proxy!.port;
  return {
    url,
    port,
    serverUrl: listenUrl,
    pid,
    logFile,
    tmpDir,
    userDataDir,
    extensionsDir,
    xdgConfigHome,
    folderUrl(folder: string) {
      return `${url}?${new URLSearchParams({ folder: path.resolve(folder) }).toString()}`;
    },
    collectLogs(destDir: string, prefix: string) {
      const out: string[] = [];
      mkdirSync(destDir, { recursive: true });
      const logCopy = path.join(destDir, `${prefix}.code-server.log`);
      try {
        cpSync(logFile, logCopy);
        out.push(logCopy);
      } catch {
        /* ignore */
      }
      const vscodeLogs = path.join(userDataDir, 'logs');
      if (existsSync(vscodeLogs)) {
        const dest = path.join(destDir, `${prefix}.vscode-logs`);
        try {
          rmSync(dest, { recursive: true, force: true });
          cpSync(vscodeLogs, dest, { recursive: true });
          out.push(dest);
        } catch {
          /* ignore */
        }
      }
      return out;
    },
    stop,
  };
}
