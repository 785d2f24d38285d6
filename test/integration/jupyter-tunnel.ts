import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { get } from 'node:http';
import { connect } from 'node:net';
import { CLI } from './harness-env';

/** Helpers for tests of `gpu-env jupyter`: run it in the background, talk HTTP to the tunnel. */

const URL_TIMEOUT_MS = 180_000;
export const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)\/(lab|tree)\?token=([0-9a-f]{64})$/;

export interface Tunnel {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly port: number;
  readonly token: string;
  stdout(): string;
  stderr(): string;
  /** Ctrl-C, then the exit code (bounded). */
  stop(): Promise<number | null>;
}

/** `gpu-env jupyter …` in the background until its URL line, bounded in time. */
export function startTunnel(args: readonly string[], env: Record<string, string>): Promise<Tunnel> {
  const child = spawn(process.execPath, [CLI, 'jupyter', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL within ${URL_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, URL_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gpu-env jupyter exited (${String(code)}) before printing a URL\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
    child.stdout.on('data', () => {
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n') || line === undefined) return;
      clearTimeout(timer);
      const match = URL_LINE.exec(line);
      if (!match) return reject(new Error(`first stdout line is not a Jupyter URL: ${line}`));
      resolve({
        child,
        url: line,
        port: Number(match[1]),
        token: match[3]!,
        stdout: () => stdout,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode !== null) return child.exitCode;
          child.kill('SIGINT');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    });
  });
}

export function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 10 s`)));
    req.on('error', reject);
  });
}

export function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    socket.on('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
  });
}
