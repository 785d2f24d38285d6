import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { withFileLock } from '../../../../src/core/util/file-lock';

const dir = mkdtempSync(join(tmpdir(), 'gpu-env-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('holds the lock file while working and removes it afterwards, also when the work throws', () => {
  const lock = join(dir, 'a.lock');
  expect(withFileLock(lock, 'a', () => existsSync(lock))).toBe(true);
  expect(existsSync(lock)).toBe(false);
  expect(() => withFileLock(lock, 'a', () => { throw new Error('boom'); })).toThrow('boom');
  expect(existsSync(lock)).toBe(false);
});

it('takes over a lock left by a process that died', () => {
  const lock = join(dir, 'b.lock');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(lock, `${dead} ${hostname()} ${Date.now()} x`);
  expect(withFileLock(lock, 'b', () => 'done', 2_000)).toBe('done');
});

it('takes over a lock older than any write could take', () => {
  const lock = join(dir, 'c.lock');
  writeFileSync(lock, `${process.pid} ${hostname()} ${Date.now() - 120_000} x`);
  expect(withFileLock(lock, 'c', () => 'done', 2_000)).toBe('done');
});

it('waits for a live holder and then says who holds the lock', () => {
  const lock = join(dir, 'd.lock');
  writeFileSync(lock, `${process.pid} ${hostname()} ${Date.now()} x`);
  const started = Date.now();
  expect(() => withFileLock(lock, 'the config', () => 'never', 300)).toThrow(/cannot change the config: .*d\.lock is held by another gpu-env process \(\d+ .*\) for more than 300 ms/);
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(existsSync(lock)).toBe(true);
});
