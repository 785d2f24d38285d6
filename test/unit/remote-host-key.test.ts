import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/ssh/keys';
import { HostConnection } from '../../src/core/remote/host-connection';
import {
  HostKeyChangedError, HostKeyNotTrustedError, HostKeyRevokedError, verifyHostKey, type HostKeyQuestion,
} from '../../src/core/remote/host-key-check';
import { readKnownHosts, checkHostKey } from '../../src/core/remote/known-hosts';
import type { ResolvedSshHost } from '../../src/core/remote/resolve-host';

function blob(publicLine: string): Buffer {
  const parsed = utils.parseKey(publicLine);
  if (parsed instanceof Error) throw parsed;
  return (Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH();
}

function hop(knownHosts: string, overrides: Partial<ResolvedSshHost> = {}): ResolvedSshHost {
  return {
    alias: 'gpu', hostName: '10.0.0.5', port: 2222, user: 'me', identityFiles: [], identitiesOnly: false,
    userKnownHostsFiles: [knownHosts], globalKnownHostsFiles: [], hashKnownHosts: false, proxyJump: [], ...overrides,
  };
}

describe('verifyHostKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'host-key-'));
  const hostKey = utils.generateKeyPairSync('ed25519');
  const otherKey = utils.generateKeyPairSync('ed25519');
  const key = blob(hostKey.public);

  it('asks once about an unknown key, with its SHA-256 fingerprint, and a yes adds it to known_hosts', async () => {
    const file = join(dir, 'ask_known_hosts');
    const questions: HostKeyQuestion[] = [];
    await verifyHostKey(hop(file), key, { confirm: async (q) => (questions.push(q), true) });
    expect(questions).toEqual([{
      host: 'me@10.0.0.5:2222', knownHostsName: '[10.0.0.5]:2222', keyType: 'ssh-ed25519', fingerprint: fingerprint(key), knownHostsFile: file, otherKnownTypes: [],
    }]);
    expect(checkHostKey(readKnownHosts([file]), '[10.0.0.5]:2222', key).kind).toBe('known');
    await verifyHostKey(hop(file), key, { confirm: async (q) => (questions.push(q), true) });
    expect(questions).toHaveLength(1);
  });

  it('without a yes, refuses and writes nothing', async () => {
    const file = join(dir, 'refuse_known_hosts');
    await expect(verifyHostKey(hop(file), key, {})).rejects.toBeInstanceOf(HostKeyNotTrustedError);
    await expect(verifyHostKey(hop(file), key, { confirm: async () => false })).rejects.toThrow(/the host key of me@10\.0\.0\.5:2222 is not known \(ssh-ed25519 SHA256:\S+\) and was not accepted; nothing was added/);
    expect(() => readFileSync(file)).toThrow();
  });

  it('a changed key is refused with the expected and received fingerprints and how to fix it', async () => {
    const file = join(dir, 'changed_known_hosts');
    writeFileSync(file, `[10.0.0.5]:2222 ${otherKey.public}\n`);
    const attempt = verifyHostKey(hop(file), key, { confirm: async () => true });
    await expect(attempt).rejects.toBeInstanceOf(HostKeyChangedError);
    await expect(attempt).rejects.toThrow(`expected ssh-ed25519 ${fingerprint(blob(otherKey.public))} (${file} line 1)`);
    await expect(attempt).rejects.toThrow(`received ssh-ed25519 ${fingerprint(key)}`);
    await expect(attempt).rejects.toThrow("ssh-keygen -R '[10.0.0.5]:2222'");
  });

  it('a revoked key is refused even when the user would say yes', async () => {
    const file = join(dir, 'revoked_known_hosts');
    writeFileSync(file, `@revoked * ${hostKey.public}\n`);
    await expect(verifyHostKey(hop(file), key, { confirm: async () => true })).rejects.toBeInstanceOf(HostKeyRevokedError);
  });

  it('HostKeyAlias is the name looked up and written, without the port', async () => {
    const file = join(dir, 'alias_known_hosts');
    await verifyHostKey(hop(file, { hostKeyAlias: 'GPU-box' }), key, { confirm: async () => true });
    expect(readFileSync(file, 'utf8')).toMatch(/^gpu-box ssh-ed25519 /);
  });

  it('HashKnownHosts yes writes a hashed name', async () => {
    const file = join(dir, 'hashed_known_hosts');
    await verifyHostKey(hop(file, { hashKnownHosts: true }), key, { confirm: async () => true });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    expect(checkHostKey(readKnownHosts([file]), '[10.0.0.5]:2222', key).kind).toBe('known');
  });

  it('a known_hosts that cannot be written: the yes holds for this process, with a warning', async () => {
    const file = join(dir, 'not-a-dir', 'known_hosts');
    writeFileSync(join(dir, 'not-a-dir'), 'a file where a folder should be');
    const warnings: string[] = [];
    let asked = 0;
    const policy = { confirm: async () => (asked++, true), warn: (m: string) => warnings.push(m) };
    await verifyHostKey(hop(file, { hostName: '10.9.9.9' }), key, policy);
    await verifyHostKey(hop(file, { hostName: '10.9.9.9' }), key, policy);
    expect(asked).toBe(1);
    expect(warnings[0]).toMatch(/could not add the host key of me@10\.9\.9\.9:2222 to .*not-a-dir\/known_hosts/);
  });
});

describe('HostConnection failures are quick and clear (real loopback sockets)', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  const listen = (onConnection: (socket: import('node:net').Socket) => void): Promise<number> => new Promise((resolve) => {
    const server = createServer(onConnection);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

  const connection = (port: number, timeoutMs = 10_000): HostConnection => new HostConnection({
    chain: [hop(join(tmpdir(), 'unused_known_hosts'), { hostName: '127.0.0.1', port })],
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
      chain: [hop(join(home, 'kh'), { hostName: '127.0.0.1', port, identityFiles: [writeKey(home)] })],
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
      chain: [hop(join(home, 'kh'), { hostName: '127.0.0.1', port, identityFiles: [writeKey(home)] })],
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
  writeFileSync(file, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  return file;
}
