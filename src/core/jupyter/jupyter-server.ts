import { GpuEnvError, messageOf } from '../errors';
import type { SshSession } from '../ssh/session';
import { CancelledError, formatMs, sleep, throwIfAborted, withDeadline } from '../util/abort';
import { httpStatusOver } from './http-probe';
import {
  LOG_TAIL_SCRIPT, PROBE_SCRIPT, READ_TOKEN_SCRIPT, START_SCRIPT, parseServerState, shCommand, type JupyterKind, type ServerState,
} from './server-scripts';
import { generateJupyterToken, isWellFormedToken, type TokenStore } from './token';

/** A Jupyter server answering on the environment's 127.0.0.1:`port`. */
export interface JupyterServer {
  readonly port: number;
  readonly kind: JupyterKind;
  readonly token: string;
  /** True when this call started it; false when it was already running. */
  readonly started: boolean;
}

export interface EnsureJupyterOptions {
  readonly signal?: AbortSignal;
  /** Steps for people ("Starting Jupyter Lab"); never given the token. */
  readonly onStep?: (message: string) => void;
  readonly readyTimeoutMs?: number;
}

export const JUPYTER_READY_TIMEOUT_MS = 120_000;
const COMMAND_TIMEOUT_MS = 30_000;
const HTTP_PROBE_TIMEOUT_MS = 5_000;

/**
 * Starts Jupyter in the environment unless it runs already, and waits until it answers with the
 * token. The token is the client's (made here if it has none, stored in `tokens`); when a server is
 * already running with another client's token, that one is adopted, so two front ends share one server.
 */
export async function ensureJupyter(session: SshSession, name: string, tokens: TokenStore, options: EnsureJupyterOptions = {}): Promise<JupyterServer> {
  const state = await runState(session, PROBE_SCRIPT, undefined, options.signal);
  if (state.state === 'running' && state.kind !== 'none') {
    const token = await adoptRunningToken(session, name, tokens, options.signal);
    options.onStep?.(`Jupyter ${title(state.kind)} already running in gpu-env-${name}`);
    return { port: state.port, kind: state.kind, token, started: false };
  }
  if (state.kind === 'none') throw notInstalled(name);
  const token = await clientToken(name, tokens);
  options.onStep?.(`Starting Jupyter ${title(state.kind)} in gpu-env-${name}`);
  const started = await runState(session, START_SCRIPT, `${token}\n`, options.signal);
  if (started.kind === 'none') throw notInstalled(name);
  await waitUntilServing(session, started.port, token, options);
  return { port: started.port, kind: started.kind, token, started: true };
}

async function clientToken(name: string, tokens: TokenStore): Promise<string> {
  const stored = await tokens.get(name);
  if (stored !== undefined && isWellFormedToken(stored)) return stored;
  const token = generateJupyterToken();
  await tokens.set(name, token);
  return token;
}

async function adoptRunningToken(session: SshSession, name: string, tokens: TokenStore, signal?: AbortSignal): Promise<string> {
  const result = await withDeadline('reading the Jupyter token', COMMAND_TIMEOUT_MS, signal, (s) => session.exec(shCommand(READ_TOKEN_SCRIPT), { signal: s }));
  const token = result.stdout.trim();
  if (result.code !== 0 || !isWellFormedToken(token)) {
    throw new GpuEnvError(`Jupyter runs in gpu-env-${name} but its token file is unreadable or malformed; stop it (gpu-env exec ${name} -- pkill -f jupyter) and try again`);
  }
  if ((await tokens.get(name)) !== token) await tokens.set(name, token);
  return token;
}

async function runState(session: SshSession, script: string, stdin: string | undefined, signal?: AbortSignal): Promise<ServerState> {
  const result = await withDeadline('Jupyter command in the environment', COMMAND_TIMEOUT_MS, signal, (s) =>
    session.exec(shCommand(script), { signal: s, ...(stdin !== undefined ? { stdin } : {}) }),
  );
  const state = result.code === 0 ? parseServerState(result.stdout) : undefined;
  if (result.code === 3) return { state: 'stopped', port: 0, kind: 'none' };
  if (!state) throw new GpuEnvError(`Jupyter could not be started in the environment (exit ${String(result.code)}): ${result.stderr.trim() || result.stdout.trim()}`);
  return state;
}

/**
 * Polls through the SSH connection (a forwarded channel, then GET /api/status with the token) until
 * Jupyter answers 200; bounded in time and attempts, and gives up early with its log if it died.
 */
async function waitUntilServing(session: SshSession, port: number, token: string, options: EnsureJupyterOptions): Promise<void> {
  const forwardOut = session.forwardOut?.bind(session);
  if (!forwardOut) throw new GpuEnvError('this SSH session cannot forward ports');
  const timeoutMs = options.readyTimeoutMs ?? JUPYTER_READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (let attempt = 0; attempt < 2_000 && Date.now() < deadline; attempt++) {
    throwIfAborted(options.signal, 'waiting for Jupyter');
    try {
      const status = await httpStatusOver(await forwardOut('127.0.0.1', port), '/api/status', token, HTTP_PROBE_TIMEOUT_MS);
      if (status === 200) return;
      lastProblem = `HTTP ${status} from /api/status`;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      lastProblem = messageOf(error);
    }
    if (attempt % 10 === 9 && !(await stillRunning(session, options.signal))) {
      throw new GpuEnvError(`Jupyter exited while starting; the end of its log:\n${await logTail(session, token, options.signal)}`);
    }
    await sleep(Math.min(250 * 2 ** Math.min(attempt, 2), 1_000), options.signal);
  }
  throw new GpuEnvError(`Jupyter did not answer on 127.0.0.1:${port} in the environment within ${formatMs(timeoutMs)} (${lastProblem}); the end of its log:\n${await logTail(session, token, options.signal)}`);
}

async function stillRunning(session: SshSession, signal?: AbortSignal): Promise<boolean> {
  return (await runState(session, PROBE_SCRIPT, undefined, signal)).state === 'running';
}

/** Jupyter masks a token it read from config; the client masks it too, in case some version does not. */
async function logTail(session: SshSession, token: string, signal?: AbortSignal): Promise<string> {
  const result = await withDeadline('reading the Jupyter log', COMMAND_TIMEOUT_MS, signal, (s) => session.exec(shCommand(LOG_TAIL_SCRIPT), { signal: s }));
  return result.stdout.split(token).join('<token>').trimEnd();
}

function notInstalled(name: string): GpuEnvError {
  // The recipe installs JupyterLab with pip when the base lacks Jupyter; without pip, or without an
  // index the build could reach, the image was built without it (and `up` warned).
  return new GpuEnvError(
    `Jupyter is not installed in gpu-env-${name}: the image was built without it (its base has no pip, or pip could not reach its index). ` +
      `To add it: install it in the environment, e.g. \`gpu-env exec ${name} -- python3 -m pip install --user jupyterlab\` (pip needs a reachable index; PIP_INDEX_URL picks one); ` +
      `or remove the environment and create it again with a pip index the build can reach (the pip index URL setting, gpuEnv.pipIndexUrl or --pip-index-url); ` +
      `or use a base image that has Jupyter`,
  );
}

export function title(kind: JupyterKind): string {
  return kind === 'lab' ? 'Lab' : 'Notebook';
}

/** The browser URL for a server reached at `localPort` on this machine (the token in the query, as Jupyter expects). */
export function jupyterUrl(server: Pick<JupyterServer, 'kind' | 'token'>, localPort: number): string {
  return `http://127.0.0.1:${localPort}/${server.kind === 'lab' ? 'lab' : 'tree'}?token=${server.token}`;
}
