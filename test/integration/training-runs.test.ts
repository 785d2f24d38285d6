import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex, TEMPLATES_MANIFEST } from '../../src/core/runs/upload';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, environmentFixture, runCli, waitFor } from './harness-env';

const NAME = 'itest-train';

interface MetricsLine {
  event?: string;
  step?: number;
  split?: string;
}

describe.skipIf(!HARNESS_READY)(`training runs survive disconnects and restarts${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const fx = environmentFixture(NAME, 'train');
  let runId = '';

  const readMetrics = async (): Promise<MetricsLine[]> => {
    const session = await openEnvironmentSession(NAME, { context: defaultContext({ stateDir: fx.stateDir, env: { ...process.env, DOCKER_HOST } }) });
    try {
      const result = await session.exec(`cat /workspace/.gpu-env/runs/${runId}/metrics.jsonl 2>/dev/null || true`);
      return result.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as MetricsLine);
    } finally {
      session.close();
    }
  };
  const runState = async (): Promise<{ state: string; attempt: number }> => {
    const listed = await runCli(['runs', NAME, '--json'], fx.env, 60_000);
    expect(listed.code, listed.stderr).toBe(0);
    const run = (JSON.parse(listed.stdout) as { id: string; state: string; status: { attempt: number } | null }[]).find((r) => r.id === runId);
    return { state: run?.state ?? 'missing', attempt: run?.status?.attempt ?? 0 };
  };

  it('bad train options exit 2 before anything starts', async () => {
    const bad = await runCli(['train', NAME, '--template', 'vgg', '--epochs', '0'], fx.env, 30_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--template: template must be one of cnn, resnet \(got "vgg"\)/);
    expect(bad.stderr).toMatch(/--epochs: epochs must be a whole number from 1/);
  });

  it('a run started by a CLI whose SSH connection is gone keeps running; a new client lists it and streams its metrics from the start', async () => {
    const started = await runCli(['train', NAME, '--epochs', '2', '--batch-size', '512', '--json'], fx.env, 120_000);
    expect(started.code, started.stderr).toBe(0);
    runId = (JSON.parse(started.stdout) as { id: string }).id;
    // The CLI process has exited, and with it its only SSH connection.
    const running = await waitFor('the run to report training steps', 180_000, async () => {
      const metrics = await readMetrics();
      return metrics.some((m) => m.split === 'train' && typeof m.step === 'number') ? metrics : undefined;
    });
    expect(running[0]).toMatchObject({ event: 'start' });
    expect((await runState()).state).toBe('running');
    const logs = await runCli(['logs', NAME, runId], fx.env, 60_000);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/attempt 1: python3 \/workspace\/gpu-env-templates\/train_cnn\.py --model simplecnn --dataset fashion-mnist/);
  });

  it('docker restart brings the auto-resume run back from its newest checkpoint, continuing its step count', async () => {
    const checkpoint = await waitFor('a checkpoint', 300_000, async () => (await readMetrics()).find((m) => m.event === 'checkpoint'));
    expect(checkpoint.step).toBeGreaterThan(0);
    await docker().getContainer(`gpu-env-${NAME}`).restart({ t: 5 });
    const again = await runCli(['up', '--name', NAME, '--workspace', fx.workspace, '--base-image', BASE_IMAGE], fx.env);
    expect(again.code, again.stderr).toBe(0);
    const resumed = await waitFor('the resume event', 180_000, async () => (await readMetrics()).find((m) => m.event === 'resume'));
    expect(resumed.step).toBeGreaterThanOrEqual(checkpoint.step!);
    const state = await runState();
    expect(state.attempt).toBeGreaterThanOrEqual(2);
    expect(['running', 'succeeded']).toContain(state.state);
    const stepsAfter = (await readMetrics()).filter((m) => m.split === 'train' && typeof m.step === 'number').map((m) => m.step!);
    // The step count continues from the checkpoint: no step after the resume restarts from zero.
    const resumeIndex = stepsAfter.findIndex((s) => s > resumed.step!);
    expect(resumeIndex === -1 || stepsAfter.slice(resumeIndex).every((s) => s > resumed.step!)).toBe(true);
    const stop = await runCli(['stop', NAME, runId], fx.env, 120_000);
    expect(stop.code, stop.stderr).toBe(0);
    expect(['stopped', 'succeeded']).toContain((await runState()).state);
  });

  it('a newer gpu-env updates unedited template copies and keeps edited ones, saying which', async () => {
    const dir = join(fx.workspace, 'gpu-env-templates');
    const shipped = readFileSync(join(__dirname, '..', '..', 'templates', 'cnn_models.py'), 'utf8');
    const manifestFile = join(dir, TEMPLATES_MANIFEST);
    const manifest = (): Record<string, string> => (JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, string> }).files;
    expect(manifest()['cnn_models.py']).toBe(sha256Hex(shipped));
    const trainAndStop = async (): Promise<string> => {
      const started = await runCli(['train', NAME, '--epochs', '1', '--json'], fx.env, 120_000);
      expect(started.code, started.stderr).toBe(0);
      const id = (JSON.parse(started.stdout) as { id: string }).id;
      const stop = await runCli(['stop', NAME, id], fx.env, 120_000);
      expect(stop.code, stop.stderr).toBe(0);
      return started.stderr;
    };

    // As an older gpu-env would have left it: its own version, recorded in the manifest.
    const older = shipped.replace(/\n$/, '\n# an older version\n');
    writeFileSync(join(dir, 'cnn_models.py'), older);
    writeFileSync(manifestFile, JSON.stringify({ version: 1, files: { ...manifest(), 'cnn_models.py': sha256Hex(older) } }));
    expect(await trainAndStop()).toMatch(/updated the templates in \/workspace\/gpu-env-templates to this version of gpu-env \(cnn_models\.py\)/);
    expect(readFileSync(join(dir, 'cnn_models.py'), 'utf8')).toBe(shipped);

    // The user's edit of an older version is theirs: kept, and said so.
    const edited = `${older}# my change\n`;
    writeFileSync(join(dir, 'cnn_models.py'), edited);
    expect(await trainAndStop()).toMatch(/the templates in \/workspace\/gpu-env-templates differ from this version's and were kept as they are .*: cnn_models\.py;/);
    expect(readFileSync(join(dir, 'cnn_models.py'), 'utf8')).toBe(edited);
  });

  it('more processes or nodes than this environment has exit 2 naming what was found, and start nothing', async () => {
    const runsBefore = (await runCli(['runs', NAME, '--json'], fx.env, 60_000)).stdout;
    const zero = await runCli(['train', NAME, '--nproc-per-node', '0'], fx.env, 60_000);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--nproc-per-node: nprocPerNode must be a whole number from 1 to 1024/);
    const nodes = await runCli(['train', NAME, '--nodes', '2'], fx.env, 60_000);
    expect(nodes.code).toBe(2);
    expect(nodes.stderr).toMatch(/--nodes: nodes 2: training on several machines needs a cluster target \(Slurm\)/);
    expect((await runCli(['runs', NAME, '--json'], fx.env, 60_000)).stdout).toBe(runsBefore);
  });

  it('--nproc-per-node 2 trains with two ranks (gloo, started by the runner) to 85 % in 2 epochs, one metrics stream', async () => {
    const started = await runCli(['train', NAME, '--nproc-per-node', '2', '--epochs', '2', '--json', '--follow'], fx.env, 1_500_000);
    expect(started.code, started.stderr).toBe(0);
    runId = (JSON.parse(started.stdout.split('\n')[0]!) as { id: string }).id;
    const logs = await runCli(['logs', NAME, runId], fx.env, 60_000);
    expect(logs.stdout).toMatch(/\(2 ranks\)/);
    expect(logs.stdout).toMatch(/rank 0: pid \d+ rank 1: pid \d+/);
    const metrics = (await readMetrics()) as (MetricsLine & { world_size?: number; test_accuracy?: number; status?: string })[];
    expect(metrics.filter((m) => m.event === 'start').map((m) => m.world_size)).toEqual([2]);
    const end = metrics.find((m) => m.event === 'end');
    expect(end?.status).toBe('completed');
    expect(end?.test_accuracy).toBeGreaterThanOrEqual(0.85);
  }, 1_600_000);
});
