/**
 * ssh2's generateKeyPairSync('ed25519') writes about 1 key in 250 with a 31-byte public key (a
 * leading zero byte dropped): neither ssh2 nor OpenSSH can read it back, so the environment made
 * with it could never be reached (found by keys-concurrency.test.ts failing now and then).
 * Every pair gpu-env makes must be readable, by ssh2 and by OpenSSH's ssh-keygen.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, expect, it } from 'vitest';
import { generateEd25519Pair } from '../../../../src/core/ssh/keys';

const dir = mkdtempSync(join(tmpdir(), 'gpu-env-keygen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every one of 2,000 generated pairs reads back with a 32-byte public key matching its .pub line', () => {
  const bad: string[] = [];
  for (let i = 0; i < 2_000; i++) {
    const pair = generateEd25519Pair('gpu-env-test');
    const parsed = utils.parseKey(pair.private);
    const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
    const blob = key?.getPublicSSH();
    if (!blob || blob.length !== 51 || pair.public.split(' ')[1] !== blob.toString('base64')) bad.push(pair.public);
  }
  expect(bad).toEqual([]);
});

it('OpenSSH reads them: ssh-keygen -y gives the same public key', () => {
  for (let i = 0; i < 20; i++) {
    const pair = generateEd25519Pair('gpu-env-test');
    const file = join(dir, `key${i}`);
    writeFileSync(file, pair.private, { mode: 0o600 });
    expect(execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' ')).toBe(pair.public.split(' ').slice(0, 2).join(' '));
  }
});
