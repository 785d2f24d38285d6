import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseDerivedTag } from '../../src/core/image/recipe';
import { startForwardProxy, startPackageMirror, type RecordingServer } from '../support/http-relay';
import { BARE_BASE_IMAGE, BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, removeDir, runCli, runProcess, tempDir, userWorkspace } from './harness-env';

/**
 * The first `up` of a real user: the recipe on a base made like pytorch/pytorch:*-runtime (no sshd,
 * g++, tini, tmux or Jupyter; root; Python through /opt/conda/bin on the image's PATH), so the
 * install step takes its apt path for real, against Debian's mirror. The build goes through a proxy
 * (from a DOCKER_CONFIG's `proxies`, with a password) and a package mirror, both real HTTP servers
 * on the engine's bridge that record what they were asked.
 */
const NAME = 'itest-bare';
const SECOND = 'itest-bare-2';
const PROXY_USER = 'builder';
const PROXY_PASSWORD = `proxy-pw-${process.pid}-x7`;
const READY = HARNESS_READY && BARE_BASE_IMAGE !== '';

interface UpJson {
  readonly image: string;
  readonly ssh: { readonly user: string; readonly alias: string };
}

describe.skipIf(!READY)(`the recipe on a bare PyTorch base: apt path, proxy, mirror${READY ? '' : ` (skipped: ${SKIP_REASON} and GPU_ENV_TEST_BARE_BASE_IMAGE)`}`, () => {
  let workspace = '';
  let stateDir = '';
  let dockerConfig = '';
  let emptyDockerConfig = '';
  let env: Record<string, string> = {};
  let mirror: RecordingServer;
  let proxy: RecordingServer;
  let first: { code: number | null; stdout: string; stderr: string };
  let firstMs = 0;
  let up: UpJson;

  const ssh = (command: string): ReturnType<typeof runProcess> =>
    runProcess('ssh', ['-F', join(stateDir, 'ssh_config'), '-o', 'BatchMode=yes', `gpu-env-${NAME}`, command], {}, 60_000);

  /** Images built on the bare base earlier (a previous run): removed, so this build really runs apt. */
  const removeBuiltImages = async (): Promise<void> => {
    for (const name of [NAME, SECOND]) await docker().getContainer(`gpu-env-${name}`).remove({ force: true }).catch(() => undefined);
    const tag = `gpu-env/pytorch-cuda:${baseDerivedTag(BARE_BASE_IMAGE)}-`;
    for (const image of await docker().listImages()) {
      for (const ref of image.RepoTags ?? []) if (ref.startsWith(tag)) await docker().getImage(ref).remove({ force: true });
    }
  };

  beforeAll(async () => {
    await removeBuiltImages();
    const network = await docker().getNetwork('bridge').inspect() as { IPAM: { Config: { Gateway?: string }[] } };
    const gateway = network.IPAM.Config[0]?.Gateway;
    if (!gateway) throw new Error('the test engine has no bridge gateway address');
    mirror = await startPackageMirror(gateway, process.env.GPU_ENV_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian');
    proxy = await startForwardProxy(gateway, PROXY_USER, PROXY_PASSWORD);
    workspace = userWorkspace('bare');
    stateDir = tempDir('bare-state');
    dockerConfig = tempDir('bare-docker-config');
    emptyDockerConfig = tempDir('bare-no-docker-config');
    const proxyUrl = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ proxies: { default: { httpProxy: proxyUrl, noProxy: 'localhost' } } }));
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir, DOCKER_CONFIG: dockerConfig, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };
    const started = Date.now();
    first = await runCli([
      'up', '--name', NAME, '--workspace', workspace, '--base-image', BARE_BASE_IMAGE, '--gpus', 'none',
      '--apt-mirror', `${mirror.url}/debian`, '--pip-index-url', `${mirror.url}/pypi/simple`, '--json', '--verbose',
    ], env, 900_000);
    firstMs = Date.now() - started;
    console.log(`bare base: first up (apt path through proxy and mirror) ${(firstMs / 1000).toFixed(1)} s`);
    expect(first.code, first.stderr).toBe(0);
    up = JSON.parse(first.stdout) as UpJson;
  });

  afterAll(async () => {
    await removeBuiltImages().catch(() => undefined);
    await mirror?.close();
    await proxy?.close();
    for (const dir of [stateDir, dockerConfig, emptyDockerConfig, workspace]) if (dir) removeDir(dir);
  });

  it('the install step installs openssh-server, g++, tini and tmux with apt (the build log says so)', () => {
    expect(first.stderr).toContain('gpu-env: installing openssh-server g++ tini tmux');
    for (const pkg of ['openssh-server', 'g++', 'tini', 'tmux']) expect(first.stderr).toMatch(new RegExp(`Setting up ${pkg.replace('+', '\\+')}[ :]`));
  });

  it("apt used the mirror, through the config's proxy with its credentials; pip asked the index given", () => {
    expect(first.stderr).toContain(`gpu-env: apt sources for this install (mirror ${mirror.url}/debian):`);
    expect(first.stderr).toContain(`Get:1 ${mirror.url}/debian trixie InRelease`);
    const mirrored = mirror.requests.map((r) => r.url);
    expect(mirrored).toContain('/debian/dists/trixie/InRelease');
    expect(mirrored.some((u) => /^\/debian\/pool\/main\/o\/openssh\/openssh-server_.*\.deb$/.test(u))).toBe(true);
    expect(mirrored.some((u) => u.startsWith('/pypi/simple/jupyterlab'))).toBe(true);
    // Every package request went through the proxy, authenticated (apt and pip read the predefined HTTP_PROXY/http_proxy).
    const proxied = proxy.requests.filter((r) => r.authorized);
    expect(proxied.some((r) => r.url === `${mirror.url}/debian/dists/trixie/InRelease`)).toBe(true);
    expect(proxied.some((r) => r.url.startsWith(`${mirror.url}/pypi/simple/jupyterlab`))).toBe(true);
    expect(proxied.length).toBeGreaterThanOrEqual(mirror.requests.length);
  });

  it('up succeeds with exactly one warning: no Jupyter, because the index had none', () => {
    const warnings = first.stderr.split('\n').filter((l) => l.startsWith('! warning:'));
    expect(warnings).toEqual(['! warning: pip could not install JupyterLab from ' + `${mirror.url}/pypi/simple; the environment has no Jupyter`]);
  });

  it("the image keeps the base's own apt sources; the proxy password is nowhere in the image, the container or the output", async () => {
    const sources = await runProcess('docker', ['run', '--rm', '--entrypoint', 'cat', up.image, '/etc/apt/sources.list'], { DOCKER_HOST }, 60_000);
    expect(sources.code, sources.stderr).toBe(0);
    expect(sources.stdout.trim()).toBe('deb http://deb.debian.org/debian trixie main');
    const image = await docker().getImage(up.image).inspect();
    const history = await docker().getImage(up.image).history();
    const container = await docker().getContainer(`gpu-env-${NAME}`).inspect();
    for (const text of [JSON.stringify(image), JSON.stringify(history), JSON.stringify(container), first.stdout, first.stderr]) {
      expect(text).not.toContain(PROXY_PASSWORD);
    }
    // The mirror and index are build arguments (recorded in history), the proxies predefined ones (not recorded).
    expect(JSON.stringify(history)).toContain(`GPU_ENV_APT_MIRROR=${mirror.url}/debian`);
    expect(JSON.stringify(history)).not.toContain('HTTP_PROXY');
  });

  it("the user is not root, and OpenSSH sessions run the image's Python (from its PATH prefix) with the image's ENV", async () => {
    expect(up.ssh.user).toBe('dev');
    const result = await ssh(`id -u; which python3; python3 -c 'import torch;print(torch.__version__)'; echo "$PYTORCH_VERSION $LD_LIBRARY_PATH"`);
    expect(result.code, result.stderr).toBe(0);
    const [uid, python, torch, env] = result.stdout.trim().split('\n');
    expect(uid).not.toBe('0');
    expect(python).toBe('/opt/conda/bin/python3');
    expect(torch).toMatch(/^2\.6\.0/);
    expect(env).toBe('2.6.0 /usr/local/nvidia/lib:/usr/local/nvidia/lib64');
    const login = await ssh(`bash -lc 'which python3'`);
    expect(login.stdout.trim()).toBe('/opt/conda/bin/python3');
  });

  it('gpu-env doctor finds the compiler the install step added', async () => {
    const doctor = await runCli(['doctor', NAME, '--json'], env, 120_000);
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const compiler = report.checks.find((c) => c.id === 'compiler');
    expect(compiler?.status, compiler?.detail).toBe('ok');
    expect(compiler?.detail).toContain('/usr/bin/g++');
  });

  it('gpu-env jupyter says Jupyter is not installed and how to add it', async () => {
    const jupyter = await runCli(['jupyter', NAME, '--print-url-only'], env, 120_000);
    expect(jupyter.code).toBe(1);
    expect(jupyter.stderr).toContain(`Jupyter is not installed in gpu-env-${NAME}`);
    expect(jupyter.stderr).toContain(`gpu-env exec ${NAME} -- python3 -m pip install --user jupyterlab`);
  });

  it('a 1-epoch template run succeeds', async () => {
    const train = await runCli(['train', NAME, '--epochs', '1', '--batch-size', '512', '--follow'], env, 600_000);
    expect(train.code, train.stderr).toBe(0);
    expect(`${train.stdout}${train.stderr}`).toMatch(/succeeded/);
  });

  it('a second up of a new environment reuses the built image: no apt, no proxy or mirror needed', async () => {
    const before = mirror.requests.length;
    const started = Date.now();
    const second = await runCli(['up', '--name', SECOND, '--workspace', workspace, '--base-image', BARE_BASE_IMAGE, '--gpus', 'none', '--json', '--verbose'], { ...env, DOCKER_CONFIG: emptyDockerConfig }, 300_000);
    console.log(`bare base: second up (image reused) ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as UpJson).image).toBe(up.image);
    expect(second.stderr).toContain(`Image ${up.image} is up to date`);
    expect(second.stderr).not.toContain('gpu-env: installing');
    expect(mirror.requests.length).toBe(before);
    expect(readFileSync(join(stateDir, 'ssh_config'), 'utf8')).toContain(`Host gpu-env-${SECOND}`);
  });
});

describe.skipIf(!HARNESS_READY)(`a base with neither Jupyter nor pip${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const NO_PIP = 'itest-no-pip';
  const ref = 'gpu-env-test/no-jupyter-no-pip:1';
  let workspace = '';
  let stateDir = '';
  let context = '';

  beforeAll(async () => {
    workspace = userWorkspace('no-pip');
    stateDir = tempDir('no-pip-state');
    context = tempDir('no-pip-context');
    // The full stand-in less its Jupyter; its Debian Python has no pip.
    writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN rm -f /usr/bin/jupyter* && ! python3 -m pip --version\n`);
    const built = await runProcess('docker', ['build', '-q', '-t', ref, context], { DOCKER_HOST, DOCKER_BUILDKIT: '0' }, 300_000);
    expect(built.code, built.stderr).toBe(0);
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NO_PIP}`).remove({ force: true }).catch(() => undefined);
    for (const image of await docker().listImages()) {
      for (const tag of image.RepoTags ?? []) if (tag === ref || tag.startsWith(`gpu-env/pytorch-cuda:${baseDerivedTag(ref)}-`)) await docker().getImage(tag).remove({ force: true }).catch(() => undefined);
    }
    for (const dir of [workspace, stateDir, context]) if (dir) removeDir(dir);
  });

  it('up succeeds with one warning; gpu-env jupyter then says Jupyter is not installed and how to add it', async () => {
    const env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const up = await runCli(['up', '--name', NO_PIP, '--workspace', workspace, '--base-image', ref, '--gpus', 'none'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr.split('\n').filter((l) => l.startsWith('! warning:'))).toEqual([
      '! warning: the base image has no pip, so JupyterLab was not installed; the environment has no Jupyter',
    ]);
    const jupyter = await runCli(['jupyter', NO_PIP, '--print-url-only'], env, 120_000);
    expect(jupyter.code).toBe(1);
    expect(jupyter.stderr).toContain(`Jupyter is not installed in gpu-env-${NO_PIP}: the image was built without it`);
    expect(jupyter.stderr).toContain('--pip-index-url');
  });
});
