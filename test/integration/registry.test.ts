import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from '../../src/core/image/pull';
import { baseDerivedTag } from '../../src/core/image/recipe';
import type { ProgressEvent } from '../../src/core/progress';
import { readDockerConfig } from '../../src/core/registry/docker-config';
import { registryAuthFor } from '../../src/core/registry/credentials';
import { closeRemoteHosts } from '../../src/core/remote/host-registry';
import { startSmallEngine } from '../support/small-engine';
import { TestRegistry } from '../support/test-registry';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, removeDir, runCli, tempDir, userWorkspace } from './harness-env';
import { authorizeKeys, ensureRemoteUser, freePort, generateKey, removeRemoteUser, startSshd, type RemoteUser, type RunningSshd } from './remote-sshd';

/**
 * A private registry as companies run one: Debian's docker-registry on 127.0.0.1 with htpasswd
 * authentication, holding the stand-in PyTorch image. gpu-env must find credentials where the docker
 * CLI finds them, send them with the pull (also to an engine on another machine), say who refused and
 * where it looked when there are none, never show the password, and ride out a registry that goes
 * away mid-pull.
 */
const USER = 'gpu-env-tester';
const PASSWORD = `reg-pw-${process.pid}-${Date.now().toString(36)}`;
const TORCH = 'torch';
const TORCH_TAG = '2.6';
/** Incompressible, so that its pull takes long enough to be cut off in the middle. */
const BIG = 'big-layer';
const BIG_MB = 192;
const OUTAGE_MS = 8_000;
const NAMES = {
  auths: 'itest-reg-auths', helper: 'itest-reg-helper', none: 'itest-reg-none', wrong: 'itest-reg-wrong', remote: 'itest-reg-remote',
  old: 'itest-reg-old', same: 'itest-reg-same', pulled: 'itest-reg-pulled',
};

describe.skipIf(!HARNESS_READY || process.getuid?.() !== 0)(`a private registry with credentials${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let dir = '';
  let registry: TestRegistry;
  let torch = '';
  let stateDir = '';
  let workspace = '';
  const configs: Record<string, string> = {};
  let helperBin = '';

  const docker_ = (args: readonly string[], input?: string): string => {
    const result = spawnSync('docker', [...args], { env: { ...process.env, DOCKER_HOST, DOCKER_BUILDKIT: '0' }, input, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };

  /** A DOCKER_CONFIG folder holding this config.json (or none). */
  const dockerConfig = (name: string, config?: object): string => {
    const path = join(dir, `docker-config-${name}`);
    mkdirSync(path, { recursive: true });
    if (config) writeFileSync(join(path, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    configs[name] = path;
    return path;
  };

  /** Nothing of the registry's images left in the engine, so that the next `up` really pulls. */
  const forgetPulledImages = async (): Promise<void> => {
    for (const name of Object.values(NAMES)) await docker().getContainer(`gpu-env-${name}`).remove({ force: true }).catch(() => undefined);
    const recipeTags = `gpu-env/pytorch-cuda:${baseDerivedTag(torch)}-`;
    const fromRegistry = /^127\.0\.0\.1:\d+\/(torch|big-layer)[:@]/;
    // Recipe images whose tag a rebuild moved on (the --pull test) hold on to the base they were built on.
    await docker().pruneImages({ filters: { dangling: ['true'], label: ['dev.gpu-env.recipe'] } });
    for (const image of await docker().listImages()) {
      for (const ref of image.RepoTags ?? []) {
        // Also what an interrupted earlier run left under its own (random) port.
        if (ref.startsWith(recipeTags) || fromRegistry.test(ref)) await docker().getImage(ref).remove({ force: true }).catch(() => undefined);
      }
      // Pulled images whose tag moved on (the --pull test's first version) keep only their digest.
      if ((image.RepoDigests ?? []).some((digest) => fromRegistry.test(digest))) await docker().getImage(image.Id).remove({ force: true }).catch(() => undefined);
    }
  };

  /** The password must be nowhere a user or another process could read it. */
  const expectNoPassword = async (texts: readonly string[], containers: readonly string[], images: readonly string[]): Promise<void> => {
    for (const text of texts) expect(text).not.toContain(PASSWORD);
    for (const name of containers) expect(JSON.stringify(await docker().getContainer(name).inspect())).not.toContain(PASSWORD);
    for (const ref of images) {
      expect(JSON.stringify(await docker().getImage(ref).inspect())).not.toContain(PASSWORD);
      expect(JSON.stringify(await docker().getImage(ref).history())).not.toContain(PASSWORD);
    }
    const engineLog = process.env.GPU_ENV_TEST_ENGINE_LOG;
    if (engineLog && existsSync(engineLog)) expect(readFileSync(engineLog, 'utf8')).not.toContain(PASSWORD);
  };

  /** Builds the stand-in plus a file saying `content` as `ref` (with the docker CLI) and pushes it. */
  const pushVariant = (ref: string, content: string): string => {
    const context = join(dir, 'variant-context');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo "${content}" > /etc/gpu-env-test-registry\n`);
    const id = docker_(['build', '-q', '-t', ref, context]).trim();
    docker_(['--config', configs.seed!, 'push', '-q', ref]);
    return id;
  };

  /**
   * Pushes the images the tests pull, unless a previous run left them in the registry's storage
   * (kept in the harness cache): the stand-in plus one small layer of its own (so a pull downloads
   * something even though the engine has the stand-in), and one big incompressible layer.
   */
  const seed = async (): Promise<void> => {
    const marker = join(process.env.GPU_ENV_TEST_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'gpu-env-test'), `registry-${process.env.GPU_ENV_TEST_INSTANCE ?? 'ci'}`, `seeded-${baseDerivedTag(BASE_IMAGE)}`);
    if (existsSync(marker) && (await registry.has(TORCH, TORCH_TAG)) && (await registry.has(BIG, '1'))) return;
    pushVariant(torch, 'pushed to a private registry');
    const big = join(dir, 'big');
    mkdirSync(big, { recursive: true });
    // Pseudo-random, so gzip cannot shrink it and the pull moves all of it.
    const random = spawnSync('sh', ['-c', `openssl enc -aes-256-ctr -pass pass:gpu-env -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c ${BIG_MB}M > "${big}/blob"`]);
    if (random.status !== 0) throw new Error('could not make the big layer');
    const tar = spawnSync('tar', ['-C', big, '-cf', join(dir, 'big.tar'), 'blob']);
    if (tar.status !== 0) throw new Error('could not pack the big layer');
    docker_(['import', join(dir, 'big.tar'), `${registry.host}/${BIG}:1`]);
    docker_(['--config', configs.seed!, 'push', '-q', `${registry.host}/${BIG}:1`]);
    rmSync(big, { recursive: true, force: true });
    rmSync(join(dir, 'big.tar'), { force: true });
    writeFileSync(marker, `${new Date().toISOString()}\n`);
  };

  beforeAll(async () => {
    dir = tempDir('registry');
    registry = new TestRegistry(join(dir, 'registry'), await freePort(), USER, PASSWORD);
    await registry.start();
    torch = `${registry.host}/${TORCH}:${TORCH_TAG}`;
    docker_(['--config', dockerConfig('seed'), 'login', registry.host, '--username', USER, '--password-stdin'], PASSWORD);
    const started = Date.now();
    await seed();
    console.log(`registry: seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await forgetPulledImages();
    stateDir = join(dir, 'state');
    workspace = userWorkspace('registry-ws');
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    dockerConfig('auths', { auths: { [registry.host]: { auth } } });
    dockerConfig('wrong', { auths: { [`http://${registry.host}/v2/`]: { auth: Buffer.from(`${USER}:not-${PASSWORD}`).toString('base64') } } });
    dockerConfig('none');
    dockerConfig('helper', { credHelpers: { [registry.host]: 'gpuenvtest' } });
    // A credential helper as docker-credential-helpers ship them: a program on PATH answering `get`.
    helperBin = join(dir, 'helper-bin');
    mkdirSync(helperBin);
    writeFileSync(join(helperBin, 'docker-credential-gpuenvtest'), [
      '#!/bin/sh',
      `echo "$1 $(cat)" >> "${join(dir, 'helper-asked')}"`,
      `printf '{"ServerURL":"%s","Username":"${USER}","Secret":"%s"}' "${registry.host}" "$(cat "${join(dir, 'helper-secret')}")"`,
      '',
    ].join('\n'));
    chmodSync(join(helperBin, 'docker-credential-gpuenvtest'), 0o755);
    writeFileSync(join(dir, 'helper-secret'), PASSWORD, { mode: 0o600 });
  });

  afterAll(async () => {
    closeRemoteHosts();
    if (registry) await forgetPulledImages().catch(() => undefined);
    await registry?.stop();
    if (workspace) removeDir(workspace);
    if (dir) removeDir(dir);
  });

  const up = (name: string, config: string, extra: readonly string[], env: Record<string, string> = {}): ReturnType<typeof runCli> =>
    runCli(['up', '--name', name, '--workspace', workspace, '--gpus', 'none', '--json', '--verbose', ...extra], { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir, DOCKER_CONFIG: config, ...env });

  it('with no credentials: exit 1 naming the registry and the config file searched; nothing created', async () => {
    const result = await up(NAMES.none, configs.none!, ['--base-image', torch]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`registry ${registry.host} refused the pull of ${torch}`);
    expect(result.stderr).toContain(`looked for them in ${join(configs.none!, 'config.json')}, which does not exist`);
    expect(result.stderr).toContain(`docker login ${registry.host}`);
    expect(result.stderr).not.toContain('HTTP code');
    await expect(docker().getContainer(`gpu-env-${NAMES.none}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('with a wrong password: exit 1 saying whose credentials were not accepted, without showing them', async () => {
    const result = await up(NAMES.wrong, configs.wrong!, ['--base-image', torch]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`registry ${registry.host} refused the pull of ${torch}`);
    expect(result.stderr).toContain(`The credentials from auths["http://${registry.host}/v2/"] in ${join(configs.wrong!, 'config.json')} were not accepted`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(`not-${PASSWORD}`);
  });

  it('auths (base64 user:password): --base-image from the registry pulls, builds and works; the password is nowhere', async () => {
    const started = Date.now();
    const result = await up(NAMES.auths, configs.auths!, ['--base-image', torch]);
    console.log(`registry: up with --base-image from the registry (pull + recipe build) ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Pulling ${torch} (credentials from auths["${registry.host}"] in ${join(configs.auths!, 'config.json')})`);
    const exec = await runCli(['exec', NAMES.auths, '--', 'sh', '-c', `cat /etc/gpu-env-test-registry; python3 -c 'import torch;print(torch.__version__)'`], { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir });
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^pushed to a private registry\n2\.6\.0/);
    const image = (JSON.parse(result.stdout) as { image: string }).image;
    await expectNoPassword([result.stdout, result.stderr], [`gpu-env-${NAMES.auths}`], [torch, image]);
    expect(registry.log()).toMatch(new RegExp(`"GET /v2/${TORCH}/blobs/sha256:[0-9a-f]+ HTTP/1.1" 200`));
  });

  it('credHelpers: docker-credential-NAME is asked for the registry; --image from the registry pulls and works', async () => {
    await forgetPulledImages();
    const started = Date.now();
    const result = await up(NAMES.helper, configs.helper!, ['--image', torch], { PATH: `${helperBin}:${process.env.PATH ?? ''}` });
    console.log(`registry: up with --image from the registry (pull only) ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`credentials from the credential helper docker-credential-gpuenvtest (credHelpers["${registry.host}"] in ${join(configs.helper!, 'config.json')})`);
    expect(readFileSync(join(dir, 'helper-asked'), 'utf8').trim()).toBe(`get ${registry.host}`);
    const exec = await runCli(['exec', NAMES.helper, '--', 'cat', '/etc/gpu-env-test-registry'], { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir });
    expect(exec.stdout.trim()).toBe('pushed to a private registry');
    await expectNoPassword([result.stdout, result.stderr], [`gpu-env-${NAMES.helper}`], [torch]);
  });

  it('a pull cut off by the registry going away is retried with backoff and completes when it returns', async () => {
    const ref = `${registry.host}/${BIG}:1`;
    await docker().getImage(ref).remove({ force: true }).catch(() => undefined);
    const events: { at: number; event: ProgressEvent }[] = [];
    const t0 = Date.now();
    let killedAt = 0;
    let back: Promise<void> | undefined;
    const progress = (event: ProgressEvent): void => {
      events.push({ at: Date.now() - t0, event });
      if (killedAt === 0 && event.kind === 'layers' && event.currentBytes > 0 && event.currentBytes < event.totalBytes) {
        killedAt = Date.now() - t0;
        registry.kill();
        // Back after 8 s, on the same port and storage, as a restarted registry would be: longer than the
        // engine's own retry of the layer (5 s later, see test/harness/engine.sh), so gpu-env's is needed.
        back = new Promise((r) => setTimeout(r, OUTAGE_MS)).then(() => registry.start());
      }
    };
    const config = readDockerConfig({ DOCKER_CONFIG: configs.auths! }, '/nonexistent');
    await pullImage(docker(), ref, progress, undefined, { credentials: (r) => registryAuthFor(r, config, {}) });
    await back;
    const steps = events.filter((e) => e.event.kind === 'step').map((e) => ({ at: e.at, message: (e.event as { message: string }).message }));
    const retries = steps.filter((s) => /retrying in/.test(s.message));
    console.log(`registry: retry timeline (ms from start): cut at ${killedAt}, back at ~${killedAt + OUTAGE_MS}; ${steps.map((s) => `${s.at}: ${s.message}`).join(' | ')}; pulled at ${Date.now() - t0}`);
    expect(killedAt).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect((await docker().getImage(ref).inspect()).Size).toBeGreaterThanOrEqual(BIG_MB * 1024 * 1024);
    await docker().getImage(ref).remove({ force: true });
  });

  it('a missing image (404) is not retried', async () => {
    const events: ProgressEvent[] = [];
    const config = readDockerConfig({ DOCKER_CONFIG: configs.auths! }, '/nonexistent');
    const ref = `${registry.host}/missing:1`;
    const before = (registry.log().match(/GET \/v2\/missing\/manifests\/1 /g) ?? []).length;
    await expect(pullImage(docker(), ref, (e) => events.push(e), undefined, { credentials: (r) => registryAuthFor(r, config, {}) }))
      .rejects.toThrow(`${ref} is not in registry ${registry.host}`);
    expect(events.filter((e) => e.kind === 'step' && /retrying/.test(e.message))).toEqual([]);
    // One try: the engine asked for the manifest in one round (it may HEAD and GET), not five.
    const asked = (registry.log().match(/(GET|HEAD) \/v2\/missing\/manifests\/1 /g) ?? []).length - before;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(2);
  });

  it('--pull refreshes a base the engine already has; without it the image built before is reused', async () => {
    const ref = `${registry.host}/${TORCH}:refresh`;
    const env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const content = async (name: string): Promise<string> => (await runCli(['exec', name, '--', 'cat', '/etc/gpu-env-test-registry'], env)).stdout.trim();
    // The engine has version 1 (and an environment built on it); the registry has version 2 by now.
    const first = pushVariant(ref, 'version 1');
    const old = await up(NAMES.old, configs.auths!, ['--base-image', ref]);
    expect(old.code, old.stderr).toBe(0);
    pushVariant(ref, 'version 2');
    docker_(['tag', first, ref]);

    const same = await up(NAMES.same, configs.auths!, ['--base-image', ref]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain(`Pulling ${ref}`);
    expect(await content(NAMES.same)).toBe('version 1');

    const started = Date.now();
    const pulled = await up(NAMES.pulled, configs.auths!, ['--base-image', ref, '--pull']);
    console.log(`registry: up --pull of a changed base (pull + rebuild) ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toContain(`Pulling ${ref}`);
    expect(pulled.stderr).toContain(`Building gpu-env/pytorch-cuda:${baseDerivedTag(ref)}-`);
    expect(await content(NAMES.pulled)).toBe('version 2');
    expect((JSON.parse(pulled.stdout) as { image: string }).image).toBe((JSON.parse(old.stdout) as { image: string }).image);

    // Pulled again, unchanged: nothing to build.
    const again = await up(`${NAMES.pulled}-2`, configs.auths!, ['--base-image', ref, '--pull']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('is up to date (built on the current');
    await docker().getContainer(`gpu-env-${NAMES.pulled}-2`).remove({ force: true });

    // An existing environment keeps its container: --pull says so instead of pulling.
    const existing = await up(NAMES.old, configs.auths!, ['--base-image', ref, '--pull']);
    expect(existing.code, existing.stderr).toBe(0);
    expect(existing.stderr).toContain(`! warning: gpu-env-${NAMES.old} exists, so nothing was pulled`);
    expect(await content(NAMES.old)).toBe('version 1');
    for (const name of [NAMES.old, NAMES.same, NAMES.pulled]) await docker().getContainer(`gpu-env-${name}`).remove({ force: true });
    for (const image of await docker().listImages()) {
      for (const tag of image.RepoTags ?? []) if (tag === ref || tag.startsWith(`gpu-env/pytorch-cuda:${baseDerivedTag(ref)}-`)) await docker().getImage(tag).remove({ force: true }).catch(() => undefined);
    }
  });

  it('a pull that fills the engine\'s disk fails with a message naming its data root', async () => {
    // 64 MiB of tmpfs for a 192 MiB layer: the engine runs out while it downloads.
    const engine = await startSmallEngine(join(dir, 'small-engine'), 64);
    try {
      const result = await runCli(
        ['up', '--name', 'itest-reg-full', '--workspace', workspace, '--image', `${registry.host}/${BIG}:1`, '--gpus', 'none'],
        { DOCKER_HOST: engine.dockerHost, GPU_ENV_STATE_DIR: stateDir, DOCKER_CONFIG: configs.auths! },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`pull of ${registry.host}/${BIG}:1 failed: no space left on device in the engine's data root ${engine.dataRoot}.`);
      expect(result.stderr).toContain('docker system prune');
      expect(result.stderr).not.toContain('retrying');
    } finally {
      await engine.stop();
    }
  });

  describe('on an engine on another machine (ssh://)', () => {
    let user: RemoteUser;
    let userCreated = false;
    let sshd: RunningSshd;
    let clientHome = '';
    let url = '';

    beforeAll(async () => {
      const ensured = ensureRemoteUser();
      user = ensured;
      userCreated = ensured.created;
      clientHome = join(dir, 'client-home');
      mkdirSync(join(clientHome, '.ssh'), { recursive: true, mode: 0o700 });
      authorizeKeys(user, [generateKey(join(clientHome, '.ssh', 'id_ed25519'), 'registry-client').publicKey]);
      const port = await freePort();
      sshd = await startSshd({ dir, port, hostKey: generateKey(join(dir, 'host_key'), 'registry-remote').privatePath, dockerHost: DOCKER_HOST });
      url = `ssh://${user.name}@127.0.0.1:${port}`;
      await forgetPulledImages();
    });

    afterAll(async () => {
      closeRemoteHosts();
      await docker().getContainer(`gpu-env-${NAMES.remote}`).remove({ force: true }).catch(() => undefined);
      await sshd?.stop();
      if (user) rmSync(join(user.home, 'gpu-env', NAMES.remote), { recursive: true, force: true });
      if (userCreated) removeRemoteUser();
    });

    it('the credentials read on this machine go with the pull through the SSH connection', async () => {
      const result = await runCli(
        ['up', '--name', NAMES.remote, '--host', url, '--accept-new-host-key', '--base-image', torch, '--gpus', 'none', '--json', '--verbose'],
        { HOME: clientHome, GPU_ENV_STATE_DIR: join(dir, 'remote-state'), DOCKER_CONFIG: configs.auths!, SSH_AUTH_SOCK: '', DOCKER_HOST: '' },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`Pulling ${torch} (credentials from auths["${registry.host}"]`);
      await expectNoPassword([result.stdout, result.stderr], [`gpu-env-${NAMES.remote}`], [torch]);
    });
  });
});
