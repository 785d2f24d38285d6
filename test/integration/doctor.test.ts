import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FIELDS, defaultContext, openEnvironmentSession, remove, up, validateUpInput, type CoreContext } from '../../src/core/api';
import { renderDoctorMarkdown, runDoctor, type DoctorCheck, type DoctorReport } from '../../src/core/doctor';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, removeDir, runCli, runProcess, tempDir, userWorkspace } from './harness-env';

const NAME = 'itest-doctor';
const CONTAINER = `gpu-env-${NAME}`;

/** sshd's per-connection processes in the container (`sshd-session: dev…` or `sshd: dev@…`). */
async function sshConnectionsInContainer(): Promise<string[]> {
  const ps = await runProcess('docker', ['-H', DOCKER_HOST, 'exec', CONTAINER, 'ps', '-eo', 'args'], {});
  if (ps.code !== 0) throw new Error(`docker exec ps failed: ${ps.stderr}`);
  return ps.stdout.split('\n').filter((line) => /^sshd(-session)?: dev\b/.test(line.trim()));
}

async function waitForNoSshConnections(): Promise<string[]> {
  let left = await sshConnectionsInContainer();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await sshConnectionsInContainer();
  }
  return left;
}

function find(report: DoctorReport, id: DoctorCheck['id'], environment?: string): DoctorCheck {
  const check = report.checks.find((c) => c.id === id && c.environment === environment);
  if (!check) throw new Error(`no ${id} check${environment ? ` for ${environment}` : ''} in ${JSON.stringify(report.checks.map((c) => c.id))}`);
  return check;
}

describe.skipIf(!HARNESS_READY)(`GPU Doctor on the real engine${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let ctx: CoreContext;
  let report: DoctorReport;

  beforeAll(async () => {
    workspace = userWorkspace('doctor-ws');
    stateDir = tempDir('doctor-state');
    ctx = defaultContext({ stateDir, env: { ...process.env, DOCKER_HOST } });
    await up(validateUpInput({ name: NAME, workspace, baseImage: BASE_IMAGE }, CLI_FIELDS, ctx.env, process.cwd()), ctx);
    // Prove the process matcher sees a session before trusting it to see none.
    const session = await openEnvironmentSession(NAME, { context: ctx });
    expect(await sshConnectionsInContainer()).not.toEqual([]);
    session.close();
    expect(await waitForNoSshConnections()).toEqual([]);
    report = await runDoctor(ctx, { name: NAME });
  }, 600_000);

  afterAll(async () => {
    if (ctx) await remove(NAME, { purge: true }, ctx).catch(() => undefined);
    await docker().getContainer(CONTAINER).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(workspace);
  }, 120_000);

  it('finds the engine, says where its address came from, and fails nothing on a CPU-only host', () => {
    const engine = find(report, 'engine');
    expect(engine.status).toBe('ok');
    expect(engine.detail).toContain(`answers at ${DOCKER_HOST}, taken from the DOCKER_HOST environment variable`);
    expect(report.engine).toMatchObject({ url: DOCKER_HOST, source: 'DOCKER_HOST' });
    expect(report.environments).toEqual([NAME]);
    expect(report.summary.fail).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('reports no GPU runtime on the engine, with the runtimes it saw and how to install one', () => {
    const runtime = find(report, 'gpu-runtime');
    expect(runtime.status).toBe('warn');
    expect(runtime.detail).toMatch(/lists no NVIDIA runtime \(runtimes: [^)]*runc[^)]*\)/);
    expect(runtime.fix).toContain('NVIDIA Container Toolkit');
  });

  it("measures free disk on the engine's data root", async () => {
    const info = (await docker().info()) as { DockerRootDir: string };
    const disk = find(report, 'engine-disk');
    expect(['ok', 'warn']).toContain(disk.status);
    expect(disk.detail).toMatch(new RegExp(`data root ${info.DockerRootDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has [\\d.]+ GiB free of`));
  });

  it('checks the running environment over SSH', () => {
    expect(find(report, 'environment', NAME)).toMatchObject({ status: 'ok', detail: expect.stringContaining(`${CONTAINER} (image `) });
    expect(find(report, 'ssh', NAME)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^Connected as dev@127\.0\.0\.1:\d+ with the host key pinned/) });
  });

  it('explains that nvidia-smi is absent because the environment has no GPUs', () => {
    const smi = find(report, 'nvidia-smi', NAME);
    expect(smi.status).toBe('warn');
    expect(smi.detail).toContain('nvidia-smi is not in the container');
    expect(smi.detail).toContain('created without GPUs (GPUs: none)');
    expect(smi.fix).toContain(`gpu-env up --name ${NAME} --workspace ${workspace} --gpus all`);
  });

  it('says the stand-in PyTorch is a CPU build (torch.version.cuda is None)', () => {
    const cuda = find(report, 'cuda', NAME);
    expect(cuda.status).toBe('warn');
    expect(cuda.detail).toMatch(/^PyTorch 2\.6\.\S+ is a CPU-only build \(torch\.version\.cuda is None\)/);
  });

  it('finds 8 GiB of /dev/shm and the compilers torch.compile needs', () => {
    expect(find(report, 'shm', NAME)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^\/dev\/shm is 8\.0 GiB/) });
    const compiler = find(report, 'compiler', NAME);
    expect(compiler.status).toBe('ok');
    expect(compiler.detail).toMatch(/C\+\+: \/usr\/bin\/g\+\+ \(g\+\+ /);
  });

  it('closes its SSH session', async () => {
    expect(await waitForNoSshConnections()).toEqual([]);
  });

  it('renders the real report as Markdown', () => {
    const markdown = renderDoctorMarkdown(report);
    expect(markdown).toContain(`## Environment \`${NAME}\``);
    expect(markdown).toContain('- ⚠️ warning · **GPUs visible in the container (nvidia-smi -L)**: nvidia-smi is not in the container.');
  });

  it('without a name, checks every running environment, ours included', async () => {
    const all = await runDoctor(ctx, {});
    expect(find(all, 'environments').detail).toContain(NAME);
    expect(all.environments).toContain(NAME);
    expect(find(all, 'shm', NAME).status).toBe('ok');
  }, 120_000);

  it('fails an environment that does not exist, and still reports the engine', async () => {
    const missing = await runDoctor(ctx, { name: `${NAME}-missing` });
    expect(missing.ok).toBe(false);
    expect(find(missing, 'engine').status).toBe('ok');
    expect(find(missing, 'environment', `${NAME}-missing`)).toMatchObject({ status: 'fail', detail: expect.stringContaining(`no environment named "${NAME}-missing"`) });
    expect(find(missing, 'ssh', `${NAME}-missing`).status).toBe('skip');
  });

  it('`gpu-env doctor` prints the report and exits 0, or 1 when a check failed', async () => {
    const env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const text = await runCli(['doctor', NAME], env, 120_000);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  ✓ Docker engine reachable');
    expect(text.stdout).toContain('  ! GPUs visible in the container (nvidia-smi -L)');
    expect(text.stdout).toMatch(/\n {6}fix: .*--gpus all/);
    const json = await runCli(['doctor', NAME, '--json'], env, 120_000);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as DoctorReport;
    expect(find(parsed, 'shm', NAME).status).toBe('ok');
    const failed = await runCli(['doctor', `${NAME}-missing`, '--json'], env, 120_000);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as DoctorReport).ok).toBe(false);
    const badName = await runCli(['doctor', 'Not A Name'], env, 60_000);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('NAME: "Not A Name" is not a valid name');
    const twoNames = await runCli(['doctor', NAME, 'other'], env, 60_000);
    expect(twoNames.code).toBe(2);
    expect(twoNames.stderr).toContain('usage: gpu-env doctor [NAME] [--json] [--host URL|ALIAS] [--accept-new-host-key]');
  }, 300_000);
});
