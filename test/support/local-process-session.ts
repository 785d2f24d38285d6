/**
 * An SshSession whose commands run as REAL local processes (sh -c), so the tail's byte-offset
 * logic is exercised against real files and a real GNU `tail -F`. Each command gets its own
 * process group, so the test can cut a "connection" the hard way (SIGKILL, as a dropped network
 * would leave things) and clean up only what it started.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import type { ExecOptions, ExecResult, RemoteExit, RemoteProcess, SshSession } from '../../src/core/ssh/session';

export class LocalSession implements SshSession {
  readonly closed: Promise<void>;
  private markClosed!: () => void;
  private readonly children = new Set<ChildProcess>();
  spawned: string[] = [];

  constructor() {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = this.start(command);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      child.stdin!.end(options.stdin);
    });
  }

  async spawn(command: string): Promise<RemoteProcess> {
    this.spawned.push(command);
    const child = this.start(command);
    const exit = new Promise<RemoteExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return {
      stdin: child.stdin!,
      stdout: child.stdout!,
      stderr: child.stderr!,
      exit,
      resize: () => undefined,
      close: () => {
        child.stdin!.end();
        signalGroup(child, 'SIGHUP');
      },
    };
  }

  /** An orderly close, as the ssh client would do. */
  close(): void {
    for (const child of this.children) signalGroup(child, 'SIGHUP');
    this.markClosed();
  }

  /** The network went away: everything killed without a word, then `closed` resolves. */
  drop(): void {
    for (const child of this.children) signalGroup(child, 'SIGKILL');
    this.markClosed();
  }

  /** Process group ids of commands still running. */
  liveGroups(): number[] {
    return [...this.children].filter((c) => c.pid !== undefined && groupAlive(c.pid)).map((c) => c.pid!);
  }

  private start(command: string): ChildProcess {
    const child = spawnChild('sh', ['-c', command], { stdio: 'pipe', detached: true });
    this.children.add(child);
    return child;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
