import { spawn } from 'node:child_process';
import { GpuEnvError } from '../errors';

/** What a helper answers to `get` (docker-credential-helpers' protocol). */
export interface HelperCredentials {
  readonly username: string;
  readonly secret: string;
}

export const HELPER_TIMEOUT_MS = 60_000;
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The text helpers print when they hold nothing for the server (credentials.NewErrCredentialsNotFound). */
const NOT_FOUND = /credentials not found/i;

/**
 * Runs `docker-credential-NAME get` with the server on stdin, as the docker CLI does. Resolves
 * undefined when the helper has nothing for the server. The answer's secret never appears in an
 * error: a helper's own output is quoted only when it failed, and then without its stdout JSON.
 */
export function runCredentialHelper(
  name: string,
  server: string,
  where: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
  timeoutMs = HELPER_TIMEOUT_MS,
): Promise<HelperCredentials | undefined> {
  const program = `docker-credential-${name}`;
  if (!HELPER_NAME.test(name)) {
    return Promise.reject(new GpuEnvError(`${where} names the credential helper "${name}", which is not a program name (letters, digits, '.', '_', '-')`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new GpuEnvError(`the credential helper ${program} (${where}) did not answer within ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(() => reject(error.code === 'ENOENT'
        ? new GpuEnvError(`the credential helper ${program} (${where}) is not installed: no ${program} on PATH`)
        : new GpuEnvError(`the credential helper ${program} (${where}) could not run: ${error.code ?? error.message}`)));
    });
    child.on('close', (code) => {
      finish(() => {
        if (code !== 0) {
          // On failure helpers print a message (not credentials) on stdout or stderr.
          const said = firstLine(stdout) || firstLine(stderr);
          if (NOT_FOUND.test(said)) return resolve(undefined);
          return reject(new GpuEnvError(`the credential helper ${program} (${where}) failed (exit ${String(code)})${said ? `: ${said}` : ''}`));
        }
        try {
          resolve(parseHelperAnswer(stdout));
        } catch (error) {
          reject(new GpuEnvError(`the credential helper ${program} (${where}) answered ${(error as Error).message}`));
        }
      });
    });
    child.stdin.end(`${server}\n`);
  });
}

/** `{"ServerURL","Username","Secret"}`; throws a message that never quotes the answer. */
export function parseHelperAnswer(text: string): HelperCredentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new Error('something that is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new Error('something that is not a JSON object');
  const { Username: username, Secret: secret } = value as Record<string, unknown>;
  if (typeof secret !== 'string' || (username !== undefined && typeof username !== 'string')) {
    throw new Error('JSON without a text Secret');
  }
  if (secret === '') return undefined;
  return { username: typeof username === 'string' ? username : '', secret };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  // A failing helper's message, not its answer: never quote anything that looks like the JSON answer.
  if (line.startsWith('{')) return '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
