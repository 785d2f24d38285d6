import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../../../src/core/doctor';
import { defaultContext } from '../../../../src/core/lifecycle/context';

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
