import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { firstStartArchive, type FirstStartFiles } from '../../../../src/core/lifecycle/key-delivery';
import { generateEd25519Pair } from '../../../../src/core/ssh/keys';

const host = generateEd25519Pair('gpu-env-x-host');
const user = generateEd25519Pair('gpu-env-x');
const files: FirstStartFiles = {
  userPublicKey: `${user.public}\n`,
  hostPrivateKey: host.private.trimEnd(),
  runKey: 'ab'.repeat(32),
  runKeyGid: 1234,
  runner: Buffer.from('#!/usr/bin/env python3\nprint("runner")\n'),
};

async function entries(archive: Buffer): Promise<{ name: string; mode: number; uid: number; gid: number; content: string }[]> {
  const out: { name: string; mode: number; uid: number; gid: number; content: string }[] = [];
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out.push({ name: header.name, mode: header.mode ?? -1, uid: header.uid ?? -1, gid: header.gid ?? -1, content: Buffer.concat(chunks).toString() });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
    Readable.from([archive]).pipe(reader);
  });
  return out;
}

describe('firstStartArchive', () => {
  it('holds the four files with the modes and owners they keep in the container', async () => {
    expect(await entries(await firstStartArchive(files))).toEqual([
      { name: 'authorized_keys', mode: 0o644, uid: 0, gid: 0, content: `${user.public.trim()}\n` },
      { name: 'ssh_host_ed25519_key', mode: 0o600, uid: 0, gid: 0, content: `${host.private.trimEnd()}\n` },
      { name: 'run_key', mode: 0o440, uid: 0, gid: 1234, content: `${'ab'.repeat(32)}\n` },
      { name: 'gpu_env_run.py', mode: 0o755, uid: 0, gid: 0, content: files.runner.toString() },
    ]);
  });

  it('is what GNU tar extracts as the entrypoint does (tar -x -f - -C staging)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-env-first-start-'));
    try {
      execFileSync('tar', ['-x', '-f', '-', '-C', dir], { input: await firstStartArchive(files) });
      expect(statSync(join(dir, 'ssh_host_ed25519_key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'run_key')).mode & 0o777).toBe(0o440);
      expect(readFileSync(join(dir, 'authorized_keys'), 'utf8')).toBe(`${user.public.trim()}\n`);
      if (process.getuid?.() === 0) expect(statSync(join(dir, 'run_key')).gid).toBe(1234);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what would make the entrypoint read something else', async () => {
    await expect(firstStartArchive({ ...files, userPublicKey: 'ssh-ed25519 AAAA a\nssh-ed25519 BBBB b' })).rejects.toThrow(/one line/);
    await expect(firstStartArchive({ ...files, userPublicKey: '  ' })).rejects.toThrow(/one line/);
    await expect(firstStartArchive({ ...files, hostPrivateKey: 'not a key' })).rejects.toThrow(/PEM/);
    await expect(firstStartArchive({ ...files, runKey: 'x y' })).rejects.toThrow(/run key/);
  });
});
