import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck, type Check } from '../../src/core/doctor/check';
import { diskFinding, engineStorage, measureFreeSpace } from '../../src/core/doctor/checks/engine-disk';
import { gpuRuntimeCheck } from '../../src/core/doctor/checks/gpu-runtime';
import type { EngineFacts, JsonRecord } from '../../src/core/doctor/engine-facts';
import { runDoctor } from '../../src/core/doctor';
import { defaultContext } from '../../src/core/lifecycle/context';
import { CancelledError, sleep } from '../../src/core/util/abort';

const GIB = 1024 ** 3;

function check(run: Check<null>['run'], timeoutMs = 1_000): Check<null> {
  return { id: 'shm', title: 'Test check', timeoutMs, fixWhenBroken: 'Try again.', run };
}

describe('runCheck', () => {
  it('turns a hang into a failure that names the limit, within the limit', async () => {
    const started = Date.now();
    const { check: result } = await runCheck(check((_s, signal) => sleep(60_000, signal).then(() => ({ status: 'ok', detail: 'never' })), 200), null, undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: 'fail', detail: 'The check could not complete: Test check timed out after 200 ms.', fix: 'Try again.' });
  });

  it('turns a thrown error into a failure of this check alone', async () => {
    const { check: result } = await runCheck(check(async () => { throw new Error('engine said 500'); }), null, undefined, 'doc1');
    expect(result).toMatchObject({ id: 'shm', status: 'fail', detail: 'The check could not complete: engine said 500.', environment: 'doc1' });
  });

  it("lets the user's cancel through", async () => {
    const controller = new AbortController();
    const pending = runCheck(check((_s, signal) => sleep(60_000, signal).then(() => ({ status: 'ok', detail: 'never' }))), null, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('drops a fix from an ok result', async () => {
    const { check: result } = await runCheck(check(async () => ({ status: 'ok', detail: 'fine', fix: 'nothing' })), null, undefined);
    expect(result.fix).toBeUndefined();
  });
});

function facts(info: JsonRecord): EngineFacts {
  return { engine: { docker: undefined as never, endpoint: { url: 'unix:///var/run/docker.sock', source: 'default' } }, info: async () => info, diskUsage: async () => ({}) };
}

describe('gpuRuntimeCheck', () => {
  const run = (info: JsonRecord) => gpuRuntimeCheck.run(facts(info), new AbortController().signal);

  it('is ok with an nvidia runtime registered', async () => {
    const result = await run({ Runtimes: { nvidia: { path: 'nvidia-container-runtime' }, runc: { path: 'runc' } } });
    expect(result).toMatchObject({ status: 'ok', detail: '`docker info` lists the runtime nvidia, so containers on this engine can be given GPUs.' });
  });

  it('is ok with CDI GPU devices only', async () => {
    const result = await run({ Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }, { Source: 'cdi', ID: 'nvidia.com/gpu=all' }] });
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('the CDI devices nvidia.com/gpu=0, nvidia.com/gpu=all');
  });

  it('warns with the runtimes it saw, and says when the engine cannot report CDI at all', async () => {
    const old = await run({ Runtimes: { runc: {}, 'io.containerd.runc.v2': {} } });
    expect(old.status).toBe('warn');
    expect(old.detail).toContain('runtimes: io.containerd.runc.v2, runc');
    expect(old.detail).toContain('does not report CDI devices');
    expect(old.fix).toContain('nvidia-ctk runtime configure --runtime=docker');
    const current = await run({ Runtimes: { runc: {} }, DiscoveredDevices: [] });
    expect(current.detail).toContain('and no CDI GPU devices:');
  });
});

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

describe('runDoctor without an engine', () => {
  it('reports the engine failure with its fix and still reports every other check, as skipped', async () => {
    const ctx = defaultContext({ env: { DOCKER_HOST: 'unix:///nonexistent/gpu-env-doctor.sock' }, homeDir: '/nonexistent', assetsRoot: '/nonexistent', stateDir: '/nonexistent' });
    const report = await runDoctor(ctx, { name: 'doc1' });
    expect(report.ok).toBe(false);
    expect(report.engine).toMatchObject({ url: 'unix:///nonexistent/gpu-env-doctor.sock', source: 'DOCKER_HOST' });
    const engine = report.checks[0]!;
    expect(engine).toMatchObject({ id: 'engine', status: 'fail' });
    expect(engine.detail).toContain('taken from the DOCKER_HOST environment variable');
    expect(engine.fix).toContain('no socket at that path');
    expect(report.checks.slice(1).map((c) => `${c.id}:${c.status}`)).toEqual([
      'gpu-runtime:skip', 'engine-disk:skip', 'environment:skip', 'ssh:skip', 'nvidia-smi:skip', 'cuda:skip', 'shm:skip', 'compiler:skip',
    ]);
    expect(report.summary).toEqual({ ok: 0, warn: 0, fail: 1, skip: 8 });
  });

  it('reports an engine address it cannot use instead of throwing', async () => {
    const ctx = defaultContext({ env: { DOCKER_HOST: 'http://nope' }, homeDir: '/nonexistent', assetsRoot: '/nonexistent', stateDir: '/nonexistent' });
    const report = await runDoctor(ctx, {});
    expect(report.engine).toBeUndefined();
    expect(report.checks[0]).toMatchObject({ id: 'engine', status: 'fail' });
    expect(report.checks[0]!.detail).toContain('is not a Docker engine address');
    expect(report.checks.map((c) => c.id)).toEqual(['engine', 'gpu-runtime', 'engine-disk', 'environments']);
  });

  it('refuses an invalid environment name before doing anything', async () => {
    await expect(runDoctor(defaultContext({ env: {}, assetsRoot: '/nonexistent' }), { name: 'Bad Name' })).rejects.toThrow(/not a valid name/);
  });
});
