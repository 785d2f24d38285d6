/**
 * An SshSession whose spawned processes are real Node streams that the test drives, playing the
 * agent: what it prints, when it exits, when the connection "drops".
 */
import { PassThrough } from 'node:stream';
import type { ExecResult, RemoteExit, RemoteProcess, SshSession } from '../../src/core/ssh/session';

/** A remote process made of real Node streams; the test plays the agent. */
export class FakeRemote implements RemoteProcess {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exit: Promise<RemoteExit>;
  stdinText = '';
  stdinEnded = false;
  closed = false;
  private resolveExit!: (exit: RemoteExit) => void;

  constructor(readonly command: string) {
    this.exit = new Promise((resolve) => (this.resolveExit = resolve));
    this.stdin.on('data', (c: Buffer) => (this.stdinText += c.toString()));
    this.stdin.on('end', () => (this.stdinEnded = true));
  }

  write(text: string | Buffer): void {
    this.stdout.write(text);
  }

  finish(exit: RemoteExit, stderr = ''): void {
    if (stderr) this.stderr.write(stderr);
    this.resolveExit(exit);
    this.stdout.end();
    this.stderr.end();
  }

  resize(): void {}

  close(): void {
    this.closed = true;
    this.finish({ code: null, signal: 'HUP' });
  }
}

export class FakeSession implements SshSession {
  readonly closed: Promise<void>;
  readonly remotes: FakeRemote[] = [];
  closeCalls = 0;
  private markClosed!: () => void;

  constructor(private readonly onSpawn: (remote: FakeRemote) => void = () => {}) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  exec(): Promise<ExecResult> {
    return Promise.reject(new Error('not used'));
  }

  async spawn(command: string): Promise<RemoteProcess> {
    const remote = new FakeRemote(command);
    this.remotes.push(remote);
    setImmediate(() => this.onSpawn(remote));
    return remote;
  }

  close(): void {
    this.closeCalls++;
    this.markClosed();
  }

  /** The network went away: the channel dies without an exit status, then `closed` resolves. */
  drop(): void {
    for (const r of this.remotes) r.stdout.destroy();
    this.markClosed();
  }
}

/** CONSTRUCTED agent lines in protocol 1 shape. */
export const HELLO = JSON.stringify({
  type: 'hello', agent: 'gpu-env-agent', version: '1.0.0', protocol: 1, pid: 1, intervalMs: 100, source: 'none',
  gpu: { available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment' },
  container: { cpuSource: 'cgroup2', memorySource: 'cgroup2' }, pidNamespace: 'child',
});

export function sample(seq: number, name = 'GPU'): string {
  return JSON.stringify({
    type: 'sample', seq, timeMs: 1_800_000_000_000 + seq, container: { cpuPercent: 5, cpuCount: 2 },
    gpu: { available: true, source: 'nvml', devices: [{ index: 0, name, utilizationGpuPercent: 50 }] },
  });
}
