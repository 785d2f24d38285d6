import { generateEd25519Pair } from '../../../../src/core/ssh/keys';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hopWithKnownHosts, resolvedHop } from '../../../support/ssh-hops';
import { HostConnection, hostId } from '../../../../src/core/remote/host-connection';

describe('HostConnection failures are quick and clear (real loopback sockets)', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  const listen = (onConnection: (socket: import('node:net').Socket) => void): Promise<number> => new Promise((resolve) => {
    const server = createServer(onConnection);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

  const connection = (port: number, timeoutMs = 10_000): HostConnection => new HostConnection({
    chain: [hopWithKnownHosts(join(tmpdir(), 'unused_known_hosts'), { hostName: '127.0.0.1', port })],
    env: { SSH_AUTH_SOCK: '' },
    homeDir: mkdtempSync(join(tmpdir(), 'conn-home-')),
    policy: {},
    handshakeTimeoutMs: timeoutMs,
  });

  it('no identity at all is said before connecting', async () => {
    const port = await listen((socket) => socket.destroy());
    await expect(connection(port).client()).rejects.toThrow(/no SSH identity to log in to me@127\.0\.0\.1:\d+: no ssh-agent \(SSH_AUTH_SOCK is not set\) and no usable key among/);
  });

  it('a refused port fails at once, without retries', async () => {
    const port = await listen(() => {});
    servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const home = mkdtempSync(join(tmpdir(), 'conn-key-'));
    const conn = new HostConnection({
      chain: [hopWithKnownHosts(join(home, 'kh'), { hostName: '127.0.0.1', port, identityFiles: [writeKey(home)] })],
      env: {}, homeDir: home, policy: {},
    });
    const started = Date.now();
    await expect(conn.client()).rejects.toThrow(/SSH to me@127\.0\.0\.1:\d+ \(127\.0\.0\.1:\d+\) failed: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a server that never speaks SSH times out within the bound (one retry, then the error)', async () => {
    const port = await listen(() => {});
    const home = mkdtempSync(join(tmpdir(), 'conn-key-'));
    const conn = new HostConnection({
      chain: [hopWithKnownHosts(join(home, 'kh'), { hostName: '127.0.0.1', port, identityFiles: [writeKey(home)] })],
      env: {}, homeDir: home, policy: {}, handshakeTimeoutMs: 300, random: () => 0,
    });
    const started = Date.now();
    await expect(conn.client()).rejects.toThrow(/SSH to me@127\.0\.0\.1:\d+ timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
    conn.close();
  });
});

function writeKey(home: string): string {
  const file = join(home, 'id_ed25519');
  writeFileSync(file, generateEd25519Pair('test').private, { mode: 0o600 });
  return file;
}

describe('hostId', () => {
  it('ids are stable for the same user@host:port path and differ otherwise', () => {
    expect(hostId([resolvedHop({})])).toBe(hostId([resolvedHop({ alias: 'another-alias' })]));
    expect(hostId([resolvedHop({})])).not.toBe(hostId([resolvedHop({ port: 2222 })]));
    expect(hostId([resolvedHop({})])).toMatch(/^[0-9a-f]{10}$/);
  });
});
