import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskFinding, engineStorage, measureFreeSpace } from '../../../../../src/core/doctor/checks/engine-disk';

const GIB = 1024 ** 3;

describe('engine disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doctor-disk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures only an engine on this machine', () => {
    expect(measureFreeSpace('tcp://10.0.0.5:2376', { Name: 'gpu-box' }, '/var/lib/docker', 'laptop')).toMatchObject({ kind: 'unmeasured', reason: expect.stringContaining('another host') });
    expect(measureFreeSpace('unix:///var/run/docker.sock', { Name: 'docker-desktop' }, '/var/lib/docker', 'laptop')).toMatchObject({ kind: 'unmeasured', reason: expect.stringContaining("Docker Desktop's VM") });
    expect(measureFreeSpace('unix:///var/run/docker.sock', { Name: 'laptop' }, undefined, 'laptop')).toMatchObject({ kind: 'unmeasured' });
    const local = measureFreeSpace('unix:///var/run/docker.sock', { Name: 'laptop' }, dir, 'laptop');
    if (local.kind !== 'measured') throw new Error(local.reason);
    expect(local.freeBytes).toBeGreaterThan(0);
    expect(local.totalBytes).toBeGreaterThanOrEqual(local.freeBytes);
  });

  it('reads `docker system df` as the engine sent it (test engine, Docker 20.10)', () => {
    const df = {
      LayersSize: 2350490344,
      Images: [{ Containers: 1, Size: 2350490344, SharedSize: 2350483096 }, { Containers: 0, Size: 2350483096, SharedSize: 2350483096 }],
      Containers: [], Volumes: [], BuildCache: null,
    };
    expect(engineStorage(df)).toEqual({ imagesBytes: 2350490344, images: 2, unusedImages: 1, buildCacheBytes: 0 });
    expect(engineStorage({ Images: 'nope' })).toBeUndefined();
  });

  it('warns under 20 GiB with prune commands, is ok above, and skips what it cannot measure', () => {
    const storage = { imagesBytes: 30 * GIB, images: 4, unusedImages: 2, buildCacheBytes: 5 * GIB };
    const low = diskFinding('/var/lib/docker', { kind: 'measured', freeBytes: 12 * GIB, totalBytes: 100 * GIB }, storage);
    expect(low.status).toBe('warn');
    expect(low.detail).toContain('/var/lib/docker has 12.0 GiB free of 100.0 GiB');
    expect(low.fix).toContain('`docker image prune -a` removes images no container uses (2 images)');
    expect(low.fix).toContain('`docker builder prune` the build cache (5.0 GiB)');
    expect(diskFinding('/var/lib/docker', { kind: 'measured', freeBytes: 20 * GIB, totalBytes: 100 * GIB }, storage).status).toBe('ok');
    const remote = diskFinding('/var/lib/docker', { kind: 'unmeasured', reason: 'remote' }, undefined);
    expect(remote.status).toBe('skip');
    expect(remote.fix).toContain('df -h /var/lib/docker');
  });
});
