import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { hopWithKnownHosts } from '../../../support/ssh-hops';
import { fingerprint, generateEd25519Pair } from '../../../../src/core/ssh/keys';
import {
  HostKeyChangedError, HostKeyNotTrustedError, HostKeyRevokedError, verifyHostKey, type HostKeyQuestion,
} from '../../../../src/core/remote/host-key-check';
import { readKnownHosts, checkHostKey } from '../../../../src/core/remote/known-hosts';

function blob(publicLine: string): Buffer {
  const parsed = utils.parseKey(publicLine);
  if (parsed instanceof Error) throw parsed;
  return (Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH();
}

describe('verifyHostKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'host-key-'));
  const hostKey = generateEd25519Pair('test');
  const otherKey = generateEd25519Pair('test');
  const key = blob(hostKey.public);

  it('asks once about an unknown key, with its SHA-256 fingerprint, and a yes adds it to known_hosts', async () => {
    const file = join(dir, 'ask_known_hosts');
    const questions: HostKeyQuestion[] = [];
    await verifyHostKey(hopWithKnownHosts(file), key, { confirm: async (q) => (questions.push(q), true) });
    expect(questions).toEqual([{
      host: 'me@10.0.0.5:2222', knownHostsName: '[10.0.0.5]:2222', keyType: 'ssh-ed25519', fingerprint: fingerprint(key), knownHostsFile: file, otherKnownTypes: [],
    }]);
    expect(checkHostKey(readKnownHosts([file]), '[10.0.0.5]:2222', key).kind).toBe('known');
    await verifyHostKey(hopWithKnownHosts(file), key, { confirm: async (q) => (questions.push(q), true) });
    expect(questions).toHaveLength(1);
  });

  it('without a yes, refuses and writes nothing', async () => {
    const file = join(dir, 'refuse_known_hosts');
    await expect(verifyHostKey(hopWithKnownHosts(file), key, {})).rejects.toBeInstanceOf(HostKeyNotTrustedError);
    await expect(verifyHostKey(hopWithKnownHosts(file), key, { confirm: async () => false })).rejects.toThrow(/the host key of me@10\.0\.0\.5:2222 is not known \(ssh-ed25519 SHA256:\S+\) and was not accepted; nothing was added/);
    expect(() => readFileSync(file)).toThrow();
  });

  it('a changed key is refused with the expected and received fingerprints and how to fix it', async () => {
    const file = join(dir, 'changed_known_hosts');
    writeFileSync(file, `[10.0.0.5]:2222 ${otherKey.public}\n`);
    const attempt = verifyHostKey(hopWithKnownHosts(file), key, { confirm: async () => true });
    await expect(attempt).rejects.toBeInstanceOf(HostKeyChangedError);
    await expect(attempt).rejects.toThrow(`expected ssh-ed25519 ${fingerprint(blob(otherKey.public))} (${file} line 1)`);
    await expect(attempt).rejects.toThrow(`received ssh-ed25519 ${fingerprint(key)}`);
    await expect(attempt).rejects.toThrow("ssh-keygen -R '[10.0.0.5]:2222'");
  });

  it('a revoked key is refused even when the user would say yes', async () => {
    const file = join(dir, 'revoked_known_hosts');
    writeFileSync(file, `@revoked * ${hostKey.public}\n`);
    await expect(verifyHostKey(hopWithKnownHosts(file), key, { confirm: async () => true })).rejects.toBeInstanceOf(HostKeyRevokedError);
  });

  it('HostKeyAlias is the name looked up and written, without the port', async () => {
    const file = join(dir, 'alias_known_hosts');
    await verifyHostKey(hopWithKnownHosts(file, { hostKeyAlias: 'GPU-box' }), key, { confirm: async () => true });
    expect(readFileSync(file, 'utf8')).toMatch(/^gpu-box ssh-ed25519 /);
  });

  it('HashKnownHosts yes writes a hashed name', async () => {
    const file = join(dir, 'hashed_known_hosts');
    await verifyHostKey(hopWithKnownHosts(file, { hashKnownHosts: true }), key, { confirm: async () => true });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    expect(checkHostKey(readKnownHosts([file]), '[10.0.0.5]:2222', key).kind).toBe('known');
  });

  it('a known_hosts that cannot be written: the yes holds for this process, with a warning', async () => {
    const file = join(dir, 'not-a-dir', 'known_hosts');
    writeFileSync(join(dir, 'not-a-dir'), 'a file where a folder should be');
    const warnings: string[] = [];
    let asked = 0;
    const policy = { confirm: async () => (asked++, true), warn: (m: string) => warnings.push(m) };
    await verifyHostKey(hopWithKnownHosts(file, { hostName: '10.9.9.9' }), key, policy);
    await verifyHostKey(hopWithKnownHosts(file, { hostName: '10.9.9.9' }), key, policy);
    expect(asked).toBe(1);
    expect(warnings[0]).toMatch(/could not add the host key of me@10\.9\.9\.9:2222 to .*not-a-dir\/known_hosts/);
  });
});
