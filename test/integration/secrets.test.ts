/**
 * Secrets never leak (issue 16, catalogue case 13): after `up` (through the extension), a training
 * run, `gpu-env jupyter` and the extension's Open Jupyter, with the CLI still following the run and
 * holding the tunnel, the private keys' bodies (the client key, the container's host key), the run
 * key and the Jupyter tokens appear nowhere: not in `docker inspect` (container and image), `docker
 * logs`, the engine's log, `ps -eo args` here and in the container, `/proc/PID/{environ,cmdline}` of
 * our processes here and of every process in the container, the run's and Jupyter's logs, what the
 * CLI printed (but Jupyter's URL line, which is for the user), or the extension's output channels
 * and notifications (the built extension against the `vscode` double).
 *
 * REAL: the engine, the container, sshd, the runner and a template training run (PyTorch, CPU),
 * Jupyter, the CLI processes, the extension bundle. The `vscode` module is the test double.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, execAsRoot, runCli, waitFor } from './harness-env';
import { activateExtensionOnEngine, BUNDLE, type ExtensionOnEngine } from './extension-on-engine';
import { startTunnel, type Tunnel } from './jupyter-tunnel';
import { runRegisteredCommand, state } from '../support/vscode-module-mock';

const NAME = 'itest-secrets';
const CONTAINER = `gpu-env-${NAME}`;

/** A secret and the pieces of it a leak would show: a PEM key's base64 lines, a token whole. */
interface Secret {
  readonly what: string;
  readonly pieces: readonly string[];
}

function pemSecret(what: string, file: string): Secret {
  const pem = readFileSync(file, 'utf8');
  expect(pem).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  const lines = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  // The first line is the format's fixed header (the same in every OpenSSH key): the rest is this key.
  return { what, pieces: [lines.slice(1).join(''), ...lines.slice(1).filter((line) => line.length >= 24)] };
}

/** Which secrets `text` (found at `where`) shows. */
function leaks(secrets: readonly Secret[], where: string, text: string): string[] {
  return secrets.filter((s) => s.pieces.some((piece) => text.includes(piece))).map((s) => `${s.what} in ${where}`);
}

/** Our processes on this machine: the given ones and their descendants (by /proc/PID/stat's parent). */
function withDescendants(roots: readonly number[]): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const ours = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) if (ours.has(parent) && !ours.has(pid)) grew = ours.add(pid).size > 0;
  }
  return [...ours];
}

function procText(pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`).toString('latin1').replace(/\0/g, '\n');
    } catch {
      return '';
    }
  };
  return `${read('cmdline')}\n${read('environ')}`;
}

describe.skipIf(!HARNESS_READY || !existsSync(BUNDLE))(`no secret leaks${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let vsx: ExtensionOnEngine | undefined;
  let tunnel: Tunnel | undefined;
  let follow: ChildProcessWithoutNullStreams | undefined;
  const printed: { where: string; text: string }[] = [];

  beforeAll(() => {
    vsx = activateExtensionOnEngine(NAME, 'secrets');
  });

  afterAll(async () => {
    follow?.kill('SIGKILL');
    await tunnel?.stop();
    await vsx?.close();
  });

  it('after up, a training run and Jupyter from the CLI and the extension, no key, run key or token is anywhere it could be read', async () => {
    const stateDir = vsx!.stateDir;
    const env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const t0 = Date.now();
    const step = (what: string): void => console.log(`secrets: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await runRegisteredCommand('gpuEnv.start');
    step('up (extension)');
    expect(state.shown.texts('error')).toEqual([]);

    const train = await runCli(['train', NAME, '--epochs', '1', '--batch-size', '64', '--json'], env, 120_000);
    expect(train.code, train.stderr).toBe(0);
    printed.push({ where: 'gpu-env train output', text: train.stdout + train.stderr });
    const runId = (JSON.parse(train.stdout) as { id: string }).id;
    step('train started');
    follow = spawn(process.execPath, [CLI, 'logs', NAME, runId, '--follow'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let followed = '';
    follow.stdout.on('data', (c: Buffer) => (followed += c.toString()));
    follow.stderr.on('data', (c: Buffer) => (followed += c.toString()));

    tunnel = await startTunnel([NAME], env);
    step('gpu-env jupyter');
    // The extension's Open Jupyter: the server is running, so it adopts its token into SecretStorage.
    await runRegisteredCommand('gpuEnv.openJupyter', NAME);
    expect(state.shown.texts('error')).toEqual([]);
    expect(state.opened).toHaveLength(1);
    step('Open Jupyter (extension)');
    await runRegisteredCommand('gpuEnv.showLogs', NAME);
    // Follows the log into its channel until the run ends: left running while the rest is checked.
    const showingLog = runRegisteredCommand('gpuEnv.showTrainingLog', runId);
    await waitFor('the run to train (a step in its log, here and in the extension\'s channel)', 180_000, async () =>
      / step \d+ loss /.test(followed) && / step \d+ loss /.test(state.channels.get('GPU Training Log')?.join('') ?? '') ? true : undefined);
    step('logs shown, run training');
    const config = await runCli(['ssh-config', NAME], env, 60_000);
    printed.push({ where: 'gpu-env ssh-config output', text: config.stdout + config.stderr });

    const envDir = join(stateDir, 'envs', NAME);
    const extensionTokens = [...state.secrets.entries()].filter(([key]) => key.startsWith('gpuEnv.jupyter.')).map(([, value]) => value);
    expect(extensionTokens).toHaveLength(1);
    const secrets: Secret[] = [
      pemSecret('the client private key', join(envDir, 'id_ed25519')),
      pemSecret('the host private key', join(envDir, 'ssh_host_ed25519_key')),
      { what: 'the run key', pieces: [readFileSync(join(envDir, 'run_key')).toString('hex'), readFileSync(join(envDir, 'run_key'), 'utf8').trim()].filter((p) => p.length >= 16) },
      { what: 'the CLI\'s Jupyter token', pieces: [readFileSync(join(envDir, 'jupyter_token'), 'utf8').trim()] },
      { what: 'the extension\'s Jupyter token', pieces: extensionTokens },
    ];
    for (const secret of secrets) expect(secret.pieces.length, secret.what).toBeGreaterThan(0);
    // What is searched for is what is in use: the container's sshd host key and run key are these files.
    const inUse = await execAsRoot(CONTAINER, 'sha256sum /etc/gpu-env/ssh_host_ed25519_key /etc/gpu-env/run_key');
    const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(inUse.output).toContain(`${digest(join(envDir, 'ssh_host_ed25519_key'))}  /etc/gpu-env/ssh_host_ed25519_key`);
    expect(inUse.output).toContain(`${digest(join(envDir, 'run_key'))}  /etc/gpu-env/run_key`);
    const authorized = await execAsRoot(CONTAINER, 'cat /etc/gpu-env/authorized_keys');
    expect(authorized.output).toContain(readFileSync(join(envDir, 'id_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '));
    // The search finds what is there: the URL line carries the token (it is for the user).
    expect(leaks(secrets, 'the URL line', tunnel.url)).toEqual(['the CLI\'s Jupyter token in the URL line', 'the extension\'s Jupyter token in the URL line']);

    const found: string[] = [];
    const inspect = await docker().getContainer(CONTAINER).inspect();
    found.push(...leaks(secrets, 'docker inspect (container)', JSON.stringify(inspect)));
    found.push(...leaks(secrets, 'docker inspect (image)', JSON.stringify(await docker().getImage(inspect.Image).inspect())));
    const logs = await docker().getContainer(CONTAINER).logs({ stdout: true, stderr: true, tail: 'all' as unknown as number });
    expect(logs.toString()).toMatch(/sshd ready/);
    found.push(...leaks(secrets, 'docker logs', logs.toString()));
    const engineLog = process.env.GPU_ENV_TEST_ENGINE_LOG;
    if (engineLog && existsSync(engineLog)) found.push(...leaks(secrets, 'the engine\'s log', readFileSync(engineLog, 'utf8')));

    const hostPs = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(hostPs).toContain(`${CLI} jupyter ${NAME}`);
    found.push(...leaks(secrets, 'ps -eo args here', hostPs));
    const ours = withDescendants([process.pid, tunnel.child.pid!, follow.pid!]);
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const pid of ours) found.push(...leaks(secrets, `/proc/${pid} here`, procText(pid)));

    const containerPs = await execAsRoot(CONTAINER, 'ps -eo args');
    expect(containerPs.output).toMatch(/jupyter-(lab|notebook)/);
    expect(containerPs.output).toMatch(/train_cnn\.py/);
    found.push(...leaks(secrets, 'ps -eo args in the container', containerPs.output));
    const containerProc = await execAsRoot(CONTAINER, 'for p in /proc/[0-9]*; do echo "== $p"; tr "\\000" "\\n" < $p/cmdline 2>/dev/null; echo; tr "\\000" "\\n" < $p/environ 2>/dev/null; done');
    expect((containerProc.output.match(/^== \/proc\/\d+$/gm) ?? []).length).toBeGreaterThan(5);
    found.push(...leaks(secrets, '/proc/*/{cmdline,environ} in the container', containerProc.output));
    const containerLogs = await execAsRoot(CONTAINER, 'cat /workspace/.gpu-env/runs/*/stdout.log /tmp/gpu-env-resume.log /home/*/.gpu-env/jupyter/jupyter.log 2>/dev/null');
    expect(containerLogs.output).toMatch(/Jupyter/);
    found.push(...leaks(secrets, 'the run\'s and Jupyter\'s logs', containerLogs.output));

    printed.push({ where: 'gpu-env jupyter output (but its URL line)', text: `${tunnel.stdout().split('\n').filter((l) => l !== tunnel!.url).join('\n')}${tunnel.stderr()}` });
    printed.push({ where: 'gpu-env logs --follow output', text: followed });
    for (const { where, text } of printed) found.push(...leaks(secrets, where, text));

    const channels = [...state.channels.entries()];
    expect(channels.map(([name]) => name)).toEqual(expect.arrayContaining(['GPU Environments', 'GPU Environment Logs', 'GPU Training Log']));
    for (const [name, lines] of channels) found.push(...leaks(secrets, `the extension's output channel "${name}"`, lines.join('\n')));
    found.push(...leaks(secrets, 'the extension\'s notifications', JSON.stringify(state.shown.messages)));
    found.push(...leaks(secrets, 'the extension\'s progress', JSON.stringify(state.progress)));
    console.log(`secrets: searched ${ours.length} processes here, ${(containerProc.output.match(/^== \/proc\/\d+$/gm) ?? []).length} in the container, ${channels.length} output channels, ${secrets.reduce((n, s) => n + s.pieces.length, 0)} secret pieces`);
    expect(found).toEqual([]);
    void showingLog;
  });
});
