import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordTrustedFiles, trustedFilesCurrent, trustedFilesStamp } from '../../../../src/core/lifecycle/trusted-files';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-trusted-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'envs', 'exp'), { recursive: true });
  return dir;
}

describe('trusted files stamp', () => {
  it('is current only for the same container, runner, run key and group', () => {
    const dir = stateDir();
    const stamp = trustedFilesStamp('c1', 'aa', 'key', 1000);
    expect(trustedFilesCurrent(dir, 'exp', stamp)).toBe(false);
    recordTrustedFiles(dir, 'exp', stamp);
    expect(trustedFilesCurrent(dir, 'exp', stamp)).toBe(true);
    for (const other of [trustedFilesStamp('c2', 'aa', 'key', 1000), trustedFilesStamp('c1', 'bb', 'key', 1000), trustedFilesStamp('c1', 'aa', 'key2', 1000), trustedFilesStamp('c1', 'aa', 'key', 0)]) {
      expect(trustedFilesCurrent(dir, 'exp', other)).toBe(false);
    }
  });

  it('holds no secret: the run key only as a digest', () => {
    expect(trustedFilesStamp('c1', 'aa', 'the-secret-run-key', 1000)).not.toContain('the-secret-run-key');
  });

  it('treats a torn stamp as stale, and a folder it cannot write as no stamp', () => {
    const dir = stateDir();
    const stamp = trustedFilesStamp('c1', 'aa', 'key', 1000);
    writeFileSync(join(dir, 'envs', 'exp', 'trusted-files'), stamp.slice(0, 10));
    expect(trustedFilesCurrent(dir, 'exp', stamp)).toBe(false);
    recordTrustedFiles(join(dir, 'missing'), 'exp', stamp);
    expect(trustedFilesCurrent(join(dir, 'missing'), 'exp', stamp)).toBe(false);
  });
});
