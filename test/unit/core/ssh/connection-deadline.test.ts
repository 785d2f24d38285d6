/**
 * Defect 1 of issue 16: an SSH peer that closes after its banner (sshd killed mid-handshake, a
 * container stopped) must fail the connection at once, and waitForSsh must keep its deadline
 * whatever the peer or the "still worth waiting" probe do. The peers are real: loopback TCP servers
 * and OpenSSH's own sshd (inetd mode), killed after it sent its banner.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh, type SshTarget } from '../../../../src/core/ssh/connection';
import { waitForSsh } from '../../../../src/core/ssh/wait';
import { generateEd25519Pair } from '../../../../src/core/ssh/keys';

const pair = generateEd25519Pair('test');
const keys = { privateKey: pair.private, publicKey: pair.public };
const dir = mkdtempSync(join(tmpdir(), 'gpu-env-ssh-deadline-'));
const servers: Server[] = [];

async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

function target(port: number, extra: Partial<SshTarget> = {}): SshTarget {
  return { host: '127.0.0.1', port, user: 'dev', privateKey: keys.privateKey, pinnedHostKey: keys.publicKey, label: 'gpu-env-deadline', ...extra };
}

/** Settles within `ms` or says it hung (the defect: a promise that never settles). */
async function within<T>(ms: number, promise: Promise<T>): Promise<{ value?: T; error?: Error; hung?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ hung: true }>((resolve) => { timer = setTimeout(() => resolve({ hung: true }), ms); });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: Error) => ({ error })), hung]);
  } finally {
    clearTimeout(timer);
  }
}

let bannerThenClose = 0;
let silent = 0;
let killedSshd = 0;
const sockets: Socket[] = [];
/** What sshd said on stderr when it exited before its banner (the test then fails naming it). */
let sshdRefused = '';

beforeAll(async () => {
  bannerThenClose = await listen((socket) => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  silent = await listen(() => {});
  const hostKey = join(dir, 'host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  // sshd refuses to start without its privilege separation folder, which lives on /run (a tmpfs:
  // gone after every boot of a machine that never started the sshd service).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  // A real sshd per connection (inetd mode), SIGKILLed once it has sent its banner: what a
  // container stopped in the middle of the handshake looks like from the client.
  killedSshd = await listen((socket) => {
    const sshd = spawn('/usr/sbin/sshd', ['-i', '-e', '-f', '/dev/null', '-h', hostKey, '-o', 'UsePAM=no', '-o', 'PidFile=none'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    sshd.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    socket.pipe(sshd.stdin).on('error', () => {});
    let sentBanner = false;
    sshd.stdout.once('data', (banner: Buffer) => {
      sentBanner = true;
      socket.write(banner);
      sshd.kill('SIGKILL');
      sshd.once('exit', () => socket.end());
    });
    // An sshd that could not start is not the peer this test is about: say why, and let go.
    sshd.once('exit', (code) => {
      if (sentBanner) return;
      sshdRefused = `sshd exited (${String(code)}) before its banner: ${stderr.trim()}`;
      socket.destroy();
    });
    socket.on('error', () => {});
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

describe('connectSsh settles when the peer goes away', () => {
  it('rejects at once when the peer closes after its banner', async () => {
    const started = Date.now();
    const result = await within(5_000, connectSsh(target(bannerThenClose), { readyTimeoutMs: 20_000 }));
    expect(result.hung, 'connectSsh never settled').toBeUndefined();
    expect(result.error?.message).toMatch(/gpu-env-deadline .*closed the connection before the SSH handshake finished/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects at once when a real sshd is killed mid-handshake', async () => {
    const result = await within(5_000, connectSsh(target(killedSshd), { readyTimeoutMs: 20_000 }));
    expect(sshdRefused).toBe('');
    expect(result.hung, 'connectSsh never settled').toBeUndefined();
    expect(result.error?.message).toMatch(/closed the connection before the SSH handshake finished/);
  });

  it('keeps the ready timeout when the dial through a jump host never answers', async () => {
    const result = await within(5_000, connectSsh(target(1, { dial: () => new Promise(() => {}) }), { readyTimeoutMs: 800 }));
    expect(result.hung, 'connectSsh never settled').toBeUndefined();
    expect(result.error?.message).toMatch(/gpu-env-deadline.*not ready after 800 ms/);
  });

  it('keeps the ready timeout when a dialled stream stays silent', async () => {
    const dial = (): Promise<Duplex> => new Promise((resolve) => { const socket = connect(silent, '127.0.0.1', () => resolve(socket)); });
    const result = await within(5_000, connectSsh(target(silent, { dial }), { readyTimeoutMs: 800 }));
    expect(result.hung, 'connectSsh never settled').toBeUndefined();
    expect(result.error?.message).toMatch(/gpu-env-deadline.*(Timed out while waiting for handshake|not ready after 800 ms)/);
  });
});

describe('waitForSsh keeps its overall deadline', () => {
  it('gives up after timeoutMs against a peer that closes after its banner, naming the last error', async () => {
    const started = Date.now();
    const result = await within(8_000, waitForSsh(target(bannerThenClose), { timeoutMs: 1_500 }));
    expect(result.hung, 'waitForSsh never settled').toBeUndefined();
    expect(result.error?.message).toMatch(/not ready after 1.5 s; last error: .*closed the connection before the SSH handshake finished/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('gives up after timeoutMs against a silent peer, even with a long ready timeout per attempt', async () => {
    const started = Date.now();
    const result = await within(8_000, waitForSsh(target(silent), { timeoutMs: 1_500 }));
    expect(result.hung).toBeUndefined();
    expect(result.error?.message).toMatch(/not ready after 1.5 s/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('does not wait past its deadline for a "still worth waiting" probe that never answers', async () => {
    const started = Date.now();
    const result = await within(8_000, waitForSsh(target(bannerThenClose), { timeoutMs: 1_500, stillWorthWaiting: () => new Promise(() => {}) }));
    expect(result.hung).toBeUndefined();
    expect(result.error?.message).toMatch(/not ready after 1.5 s/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
