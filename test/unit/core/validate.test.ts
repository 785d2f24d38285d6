import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIdleStop, parseCpus, parseGpus, parseIdleStop, parseMemory, parseShmSize, parseSize, parseUid, validateImageRef, validateName, validateSourceUrl, validateWorkspace } from '../../../src/core/validate';

describe('parseSize', () => {
  it.each([['512m', 512 * 1024 ** 2], ['16g', 16 * 1024 ** 3], ['16G', 16 * 1024 ** 3], ['1.5g', 1.5 * 1024 ** 3], ['1024', 1024], ['8gb', 8 * 1024 ** 3], ['2GiB', 2 * 1024 ** 3]])('%s', (text, bytes) => {
    expect(parseSize('--memory', text)).toBe(bytes);
  });
  it.each(['16q', '-1g', '0', '0m', '', 'g', '1.g', 'ten'])('rejects %j naming the flag and the accepted form', (text) => {
    expect(() => parseSize('--shm-size', text)).toThrow(/^--shm-size: ".*" is not a size; use a positive number with a unit b, k, m, g or t, e.g. 512m or 16g$/);
  });
  it('never accepts what it cannot turn into a positive byte count', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      try {
        expect(parseSize('--memory', text)).toBeGreaterThan(0);
      } catch (error) {
        expect((error as Error).message).toContain('--memory');
      }
    }));
  });
});

describe('sizes the engine would refuse, or that mean no limit (issue 16 defect 10)', () => {
  it('memory: at least 6m (the engine\'s minimum), at most 1024t', () => {
    expect(parseMemory('--memory', '6m')).toBe(6 * 1024 ** 2);
    expect(parseMemory('--memory', '1024t')).toBe(1024 * 1024 ** 4);
    expect(() => parseMemory('--memory', '99999999999999t')).toThrow(/^--memory: "99999999999999t" is too large; use at most 1024t$/);
    expect(() => parseMemory('gpuEnv.memory', '5m')).toThrow(/^gpuEnv\.memory: "5m" is too small; use at least 6m, e\.g\. 16g$/);
  });
  it('shm: a number without a unit is bytes, and less than 1m is refused saying so', () => {
    expect(() => parseShmSize('--shm-size', '1')).toThrow(/^--shm-size: "1" is too small; use at least 1m \(a number without a unit is bytes\), e\.g\. 16g$/);
    expect(() => parseShmSize('--shm-size', '512k')).toThrow(/too small; use at least 1m, e\.g\./);
    expect(parseShmSize('--shm-size', '64m')).toBe(64 * 1024 ** 2);
  });
  it('cpus: below 0.01 would round to 0, which the engine reads as no limit', () => {
    expect(parseCpus('--cpus', '0.01')).toBe(1e7);
    for (const bad of ['0.0000000001', '0.004', '0.009']) expect(() => parseCpus('--cpus', bad)).toThrow(/use a number from 0\.01 to 1024/);
  });
  it('gpus: the same index written twice, or a UUID in two cases, is a duplicate', () => {
    expect(() => parseGpus('--gpus', '0,00')).toThrow(/no duplicates/);
    expect(() => parseGpus('--gpus', 'GPU-2b1e5b9e-3a5c-4f0c-9d7e-0123456789ab,GPU-2B1E5B9E-3A5C-4F0C-9D7E-0123456789AB')).toThrow(/no duplicates/);
  });
});

describe('parseGpus', () => {
  it('accepts all, none, a count, device=…, index lists and UUIDs', () => {
    expect(parseGpus('--gpus', 'all')).toEqual({ kind: 'all' });
    expect(parseGpus('--gpus', 'none')).toEqual({ kind: 'none' });
    expect(parseGpus('--gpus', '2')).toEqual({ kind: 'count', count: 2 });
    expect(parseGpus('--gpus', '01')).toEqual({ kind: 'count', count: 1 });
    expect(parseGpus('--gpus', 'device=0')).toEqual({ kind: 'devices', ids: ['0'] });
    expect(parseGpus('--gpus', 'device=0,2')).toEqual({ kind: 'devices', ids: ['0', '2'] });
    expect(parseGpus('--gpus', '0,1')).toEqual({ kind: 'devices', ids: ['0', '1'] });
    const uuid = 'GPU-2b1e5b9e-3a5c-4f0c-9d7e-0123456789ab';
    expect(parseGpus('--gpus', uuid)).toEqual({ kind: 'devices', ids: [uuid] });
    expect(parseGpus('--gpus', `device=${uuid}`)).toEqual({ kind: 'devices', ids: [uuid] });
    expect(parseGpus('--gpus', 'MIG-2b1e5b9e-3a5c-4f0c-9d7e-0123456789ab')).toMatchObject({ kind: 'devices' });
  });
  it.each(['', '0,,1', '0,a', 'GPU-123', '1,1', '1,01', 'all,0', '0 1', '-1', 'device=', 'device=x'])('rejects %j', (text) => {
    expect(() => parseGpus('gpuEnv.gpus', text)).toThrow(/^gpuEnv\.gpus: ".*" is not a GPU request; use all, none, a count N of free GPUs \(e\.g\. 2\), device=0,2/);
  });
  it('says that none, not 0, starts without GPUs, naming the field', () => {
    expect(() => parseGpus('--gpus', '0')).toThrow(/^--gpus: 0 is not a number of GPUs; to start without GPUs use --gpus none \(for the GPU with index 0: device=0\)$/);
    expect(() => parseGpus('gpuEnv.gpus', '000')).toThrow(/use gpuEnv\.gpus none/);
  });
  it('refuses counts no machine has', () => {
    expect(() => parseGpus('--gpus', '65')).toThrow(/--gpus: 65 GPUs is more than 64/);
  });
});

describe('parseIdleStop', () => {
  it('reads a number with a unit, 1 minute and more', () => {
    expect(parseIdleStop('--idle-stop', '30m')).toBe(1_800_000);
    expect(parseIdleStop('--idle-stop', '1m')).toBe(60_000);
    expect(parseIdleStop('--idle-stop', '60s')).toBe(60_000);
    expect(parseIdleStop('--idle-stop', '1.5h')).toBe(5_400_000);
    expect(parseIdleStop('--idle-stop', '2D')).toBe(172_800_000);
  });
  it('off or empty is no idle stop', () => {
    expect(parseIdleStop('--idle-stop', 'off')).toBeUndefined();
    expect(parseIdleStop('--idle-stop', ' ')).toBeUndefined();
  });
  it.each(['10x', '30', 'm', '1 minute', '-1m', '1m30s'])('rejects %j as not a duration', (text) => {
    expect(() => parseIdleStop('gpuEnv.idleStop', text)).toThrow(/^gpuEnv\.idleStop: ".*" is not a duration; use a number with a unit s, m, h or d \(e\.g\. 30m, 2h\), at least 1m, or off$/);
  });
  it.each(['1s', '59s', '0.5m', '0m'])('says the minimum for %j', (text) => {
    expect(() => parseIdleStop('--idle-stop', text)).toThrow(/^--idle-stop: .* is shorter than the minimum of 1m; give 1m or more/);
  });
  it('formats windows back the short way', () => {
    expect(formatIdleStop(1_800_000)).toBe('30m');
    expect(formatIdleStop(5_400_000)).toBe('1h30m');
    expect(formatIdleStop(90_000)).toBe('1m30s');
  });
});

describe('other validators', () => {
  it('cpus become NanoCpus', () => {
    expect(parseCpus('--cpus', '4')).toBe(4e9);
    expect(parseCpus('--cpus', '1.5')).toBe(1.5e9);
    for (const bad of ['0', '-2', 'x', '2000', '']) expect(() => parseCpus('--cpus', bad)).toThrow(/--cpus/);
  });
  it('names follow [a-z0-9][a-z0-9_.-]*', () => {
    for (const good of ['default', 'a', 'exp-1.2_b']) expect(validateName('--name', good)).toBe(good);
    for (const bad of ['', 'A', '-x', '.x', 'x y', 'x/y', 'é', 'a'.repeat(49)]) expect(() => validateName('--name', bad)).toThrow(/--name: ".*" is not a valid name/);
  });
  it('image references follow the distribution grammar', () => {
    for (const good of ['pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime', 'ubuntu', 'localhost:5000/a/b:c', 'nvcr.io/nvidia/pytorch:24.10-py3', `a@sha256:${'f'.repeat(64)}`]) {
      expect(validateImageRef('--image', good)).toBe(good);
    }
    for (const bad of ['', 'UPPER/case', 'a b', 'repo::tag', 'a:', ':tag', 'a@sha256:xyz']) expect(() => validateImageRef('--image', bad)).toThrow(/--image: ".*" is not an image reference/);
  });
  it('uids are whole numbers', () => {
    expect(parseUid('--uid', '0')).toBe(0);
    expect(parseUid('--uid', '1000')).toBe(1000);
    for (const bad of ['-1', 'me', '1.5', '99999999999']) expect(() => parseUid('--uid', bad)).toThrow(/--uid: ".*" is not a user id/);
  });
  it('the workspace must be an existing folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-'));
    const file = join(dir, 'f');
    writeFileSync(file, '');
    expect(validateWorkspace('--workspace', dir).path).toBe(dir);
    expect(() => validateWorkspace('--workspace', file)).toThrow(/is not a folder/);
    expect(() => validateWorkspace('--workspace', join(dir, 'missing'))).toThrow(/does not exist/);
  });
});

describe('validateSourceUrl (apt mirror, pip index)', () => {
  it('accepts http(s) URLs and drops a trailing slash', () => {
    expect(validateSourceUrl('--apt-mirror', 'https://mirrors.tuna.tsinghua.edu.cn/debian/', 'x')).toBe('https://mirrors.tuna.tsinghua.edu.cn/debian');
    expect(validateSourceUrl('--pip-index-url', 'http://172.29.4.1:8080/pypi/simple', 'x')).toBe('http://172.29.4.1:8080/pypi/simple');
  });
  it.each(['ftp://m/debian', 'mirrors.example/debian', 'https://', 'http://m/deb ian', 'http://m/debian#x', 'http://m/d?x=1', 'http://m/a&b', 'file:///srv/debian'])(
    'rejects %j naming the field and the accepted form',
    (value) => {
      expect(() => validateSourceUrl('gpuEnv.aptMirror', value, 'an apt archive mirror')).toThrow(/^gpuEnv\.aptMirror: ".*" is not accepted; use an http:\/\/ or https:\/\/ URL of an apt archive mirror/);
    },
  );
  it('refuses a user name or password without quoting it (it would stay in the image history)', () => {
    for (const value of ['https://me:hunter2@pypi.corp/simple', 'https://token@pypi.corp/simple']) {
      expect(() => validateSourceUrl('--pip-index-url', value, 'x')).toThrow(/^--pip-index-url: the URL contains a user name or password/);
      try {
        validateSourceUrl('--pip-index-url', value, 'x');
      } catch (error) {
        expect((error as Error).message).not.toMatch(/hunter2|token@/);
      }
    }
  });
});
