import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../../../src/core/ssh/keys';
import {
  appendKnownHost, checkHostKey, hashHostName, keyTypeOf, knownHostName, knownHostsLine, knownKeyTypes, parseKnownHosts, readKnownHosts,
} from '../../../../src/core/remote/known-hosts';

/** A key made by the real ssh-keygen: its public line and its blob. */
interface Key {
  readonly line: string;
  readonly blob: Buffer;
  readonly file: string;
}

function keygen(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): Key {
  const file = join(dir, name);
  const made = spawnSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', file], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { line, blob: key.getPublicSSH(), file: `${file}.pub` };
}

/** `type base64` of a public key line, without its comment. */
const keyPart = (key: Key): string => key.line.split(' ').slice(0, 2).join(' ');

describe('known_hosts', () => {
  let dir = '';
  let host: Key;
  let other: Key;
  let rsa: Key;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'known-hosts-'));
    host = keygen(dir, 'host');
    other = keygen(dir, 'other');
    rsa = keygen(dir, 'rsa', 'rsa');
  });

  it('files hosts as OpenSSH does: the name on port 22, [name]:port otherwise, lower case', () => {
    expect(knownHostName('GPU.example.com', 22)).toBe('gpu.example.com');
    expect(knownHostName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('fingerprints match ssh-keygen -lf', () => {
    const printed = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', host.file], { encoding: 'utf8' }).stdout;
    expect(printed).toContain(fingerprint(host.blob));
    expect(fingerprint(host.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(host.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(rsa.blob)).toBe('ssh-rsa');
  });

  it('matches plain names, [host]:port, comma lists, wildcards and negations', () => {
    const entries = parseKnownHosts([
      `gpu.example.com,10.0.0.5 ${keyPart(host)}`,
      `[10.0.0.6]:2222 ${keyPart(host)}`,
      `*.lab,!bad.lab ${keyPart(host)}`,
      `# a comment`,
      '',
      'garbage line',
    ].join('\n'), 'kh');
    expect(entries).toHaveLength(3);
    expect(checkHostKey(entries, 'gpu.example.com', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, '10.0.0.5', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, '[10.0.0.6]:2222', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, '10.0.0.6', host.blob).kind).toBe('unknown'); // port 22 is a different entry
    expect(checkHostKey(entries, 'node1.lab', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, 'bad.lab', host.blob).kind).toBe('unknown');
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `gpu.example.com ${keyPart(host)}\n[10.0.0.6]:2222 ${keyPart(host)}\n`);
    const hashed = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
    expect(hashed.status, hashed.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('gpu.example.com');
    const entries = readKnownHosts([file]);
    expect(entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(checkHostKey(entries, 'gpu.example.com', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, 'GPU.EXAMPLE.COM', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, '[10.0.0.6]:2222', host.blob).kind).toBe('known');
    expect(checkHostKey(entries, 'gpu2.example.com', host.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'gpu.example.com', other.blob)).toMatchObject({ kind: 'changed' });
  });

  it('a different key of the same type is a change, with the expected entries; another type alone is unknown', () => {
    const entries = parseKnownHosts(`gpu ${keyPart(host)}\n`, '/home/me/.ssh/known_hosts');
    const changed = checkHostKey(entries, 'gpu', other.blob);
    expect(changed.kind).toBe('changed');
    if (changed.kind === 'changed') {
      expect(changed.expected.map((e) => fingerprint(e.key))).toEqual([fingerprint(host.blob)]);
      expect(changed.expected[0]).toMatchObject({ file: '/home/me/.ssh/known_hosts', line: 1 });
    }
    expect(checkHostKey(entries, 'gpu', rsa.blob)).toEqual({ kind: 'unknown', otherTypes: ['ssh-ed25519'] });
    expect(knownKeyTypes(entries, 'gpu')).toEqual(['ssh-ed25519']);
  });

  it('@revoked refuses the key even when it is also listed; @cert-authority lines are skipped', () => {
    const entries = parseKnownHosts([`gpu ${keyPart(host)}`, `@revoked * ${keyPart(host)}`, `@cert-authority *.lab ${keyPart(other)}`].join('\n'), 'kh');
    expect(checkHostKey(entries, 'gpu', host.blob)).toMatchObject({ kind: 'revoked', entry: { line: 2 } });
    // A CA key is not a host key: it neither vouches for the host nor makes its own key look changed.
    expect(checkHostKey(entries, 'node.lab', other.blob).kind).toBe('unknown');
    expect(checkHostKey(entries, 'node.lab', host.blob).kind).toBe('revoked');
    expect(parseKnownHosts(`@unknown-marker gpu ${keyPart(host)}`, 'kh')).toEqual([]);
  });

  it('ignores lines whose key does not decode to the stated type', () => {
    const [type, base64] = keyPart(host).split(' ');
    expect(parseKnownHosts(`gpu ssh-rsa ${base64}\ngpu ${type} not-base64!\n`, 'kh')).toEqual([]);
  });

  it('lines it writes are found by ssh-keygen -F, hashed or not', () => {
    const file = join(dir, 'written');
    appendKnownHost(file, knownHostsLine('[127.0.0.1]:2222', host.blob, false));
    appendKnownHost(file, knownHostsLine('gpu.example.com', host.blob, true));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const name of ['[127.0.0.1]:2222', 'gpu.example.com']) {
      const found = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
      expect(found.status, `${name}: ${found.stderr}`).toBe(0);
    }
    expect(readFileSync(file, 'utf8').split('\n')[1]).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    expect(checkHostKey(readKnownHosts([file]), 'gpu.example.com', host.blob).kind).toBe('known');
  });

  it('hashHostName is HMAC-SHA1 of the name with the salt, as OpenSSH computes it', () => {
    const salt = Buffer.alloc(20, 7);
    const entry = parseKnownHosts(`${hashHostName('[10.0.0.5]:2222', salt)} ${keyPart(host)}`, 'kh');
    expect(checkHostKey(entry, '[10.0.0.5]:2222', host.blob).kind).toBe('known');
  });

  it('appending to a file without a final newline starts a new line', () => {
    const file = join(dir, 'no-newline');
    writeFileSync(file, `gpu ${keyPart(host)}`, { mode: 0o644 });
    appendKnownHost(file, knownHostsLine('other', other.blob, false));
    expect(readKnownHosts([file])).toHaveLength(2);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});
