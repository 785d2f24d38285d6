import type Docker from 'dockerode';
import { GpuEnvError } from '../errors';
import { readAsset, productVersion } from '../assets';
import { join } from 'node:path';
import { ensureReadyImage, ensureRecipeImage, type ImageOptions } from '../image/build';
import type { BuildSettings } from '../image/build-args';
import { chooseProxies } from '../image/build-args';
import { readDockerConfig } from '../registry/docker-config';
import { registryAuthFor } from '../registry/credentials';
import { recipeFor } from '../image/recipe';
import { containerCreateOptions, IDLE_WATCHER_DIR } from '../container/spec';
import { gpuSupportFromInfo, planGpus } from '../container/gpu-support';
import { ensureKeys, ensureRunKey } from '../ssh/keys';
import { shippedRunner } from '../runs/shipped-assets';
import { writeHostBlock } from '../ssh/openssh-config';
import type { Engine } from '../engine/connect';
import { abortableDocker } from '../engine/abortable';
import { throwIfAborted, withDeadline } from '../util/abort';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment, type EnvironmentInfo } from './environment-info';
import { ensureRemoteWorkspace, type RemoteFolder } from '../remote/remote-workspace';
import { jumpHostsFor } from '../remote/jump-hosts';
import { containerHasPath, putFiles } from './container-files';
import { connectToEnvironment } from './session';
import { attachFirstStartChannel, firstStartArchive } from './key-delivery';
import { recordTrustedFiles, trustedFilesCurrent, trustedFilesStamp } from './trusted-files';
import type { SshSession } from '../ssh/session';
import { driftMessage, optionDrift, type OptionDrift } from './option-drift';
import type { DockerFieldNames, DockerUpRequest as UpRequest } from './request';
import { chooseGpus } from './gpu-choice';
import { ownerFor } from './gpus';

export const ENGINE_CALL_TIMEOUT_MS = 60_000;
export const BUILD_TIMEOUT_MS = 60 * 60_000;

export interface UpResult {
  readonly info: EnvironmentInfo;
  /** created: a new container; started: a stopped one started; running: nothing to do. */
  /** recreated: the old container replaced by one with the asked options (`recreate`). */
  readonly action: 'created' | 'started' | 'running' | 'recreated';
  /** Options of an existing environment that differ from those asked (kept; `recreate` applies them). */
  readonly drift?: readonly OptionDrift[];
  /** The one of `warnings` that says so (a front end offers Recreate with it). */
  readonly driftWarning?: string;
  readonly warnings: readonly string[];
}

/**
 * Idempotent: running → nothing to do; stopped → start; absent → create. Returns once the first SSH
 * command ran. A container created by this call is removed again if anything after it fails.
 */
export async function up(request: UpRequest, ctx: CoreContext): Promise<UpResult> {
  const engine = await openEngine(ctx);
  // Asked at once with the inspect: a new environment needs it, and the two answers overlap.
  const engineInfo = withDeadline('engine info', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => abortableDocker(engine.docker).info({ abortSignal: s }));
  engineInfo.catch(() => undefined);
  const existing = await inspectEnvironment(engine.docker, request.name, ctx.signal);
  if (existing) {
    const recipeImage = request.image ? undefined : recipeFor(join(ctx.assetsRoot, 'media', 'recipe'), request.baseImage).tag;
    const drift = optionDrift(existing, request, recipeImage);
    if (request.recreate) {
      await replaceContainer(engine, existing, ctx);
      const created = await create(engine, request, ctx, await engineInfo);
      return { ...created, action: 'recreated' };
    }
    const running = existing.State.Running;
    // Before a start, so that its entrypoint resumes runs with this version's runner and key.
    await ensureTrustedFiles(engine.docker.getContainer(existing.Id), ctx.stateDir, request.name, ensureRunKey(ctx.stateDir, request.name), containerGid(existing), ctx);
    if (!running) {
      ctx.progress({ kind: 'step', step: 'start', message: `Starting ${existing.Name.slice(1)}` });
      await withDeadline('container start', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => engine.docker.getContainer(existing.Id).start({ abortSignal: s }));
    }
    const warnings = request.pull ? [`gpu-env-${request.name} exists, so nothing was pulled: the refreshed image is used by a new environment (remove this one first to recreate it)`] : [];
    const driftWarning = drift.length > 0
      ? driftMessage(request.name, drift, `To apply them, recreate it (keys, workspace files and runs stay; runs with auto-resume continue from their newest checkpoint): ${recreateHint(request)}`)
      : undefined;
    if (driftWarning) warnings.push(driftWarning);
    for (const message of warnings) ctx.progress({ kind: 'warning', message });
    const info = await readyEnvironment(engine, request.name, ctx);
    return { info, action: running ? 'running' : 'started', warnings, drift, ...(driftWarning ? { driftWarning } : {}) };
  }
  return create(engine, request, ctx, await engineInfo);
}

async function create(engine: Engine, request: UpRequest, ctx: CoreContext, info: unknown): Promise<UpResult> {
  const { docker } = engine;
  const warnings: string[] = [];
  const support = gpuSupportFromInfo(info);
  // Checks the engine has GPUs; a count is chosen once the image is there (the fresh sample runs in it).
  let gpus = planGpus(request.gpus, support, engine.endpoint.url, request.fields.gpus);
  if (gpus.warning) {
    warnings.push(gpus.warning);
    ctx.progress({ kind: 'warning', message: gpus.warning });
  }
  // Before the (possibly long) image build, so that a wrong remote folder fails at once.
  const owner = await workspaceOwner(engine, request, ctx);
  const recipe = recipeFor(join(ctx.assetsRoot, 'media', 'recipe'), request.baseImage);
  const sources = imageSources(engine, request, ctx, dataRootOf(info));
  warnings.push(...sources.warnings);
  const { image, warnings: imageWarnings } = request.image
    ? await ensureReadyImage(docker, request.image, sources.options, ctx.progress, ctx.signal)
    : await withDeadline('image build', BUILD_TIMEOUT_MS, ctx.signal, (s) => ensureRecipeImage(docker, recipe, sources.build, sources.options, ctx.progress, s));
  warnings.push(...imageWarnings);
  throwIfAborted(ctx.signal, 'start');
  const choice = await chooseGpus(engine, request.gpus, support, image, request.fields.gpus, ctx);
  if (request.gpus.kind !== 'auto') gpus = choice.plan;
  warnings.push(...choice.warnings);
  const keys = ensureKeys(ctx.stateDir, request.name);
  ctx.progress({ kind: 'step', step: 'create', message: `Creating gpu-env-${request.name}` });
  const user = owner.uid === 0 ? 'root' : 'dev';
  const options = containerCreateOptions({
    name: request.name,
    image,
    workspace: owner.path,
    uid: owner.uid,
    gid: owner.gid,
    user,
    gpus,
    ...(request.memoryBytes !== undefined ? { memoryBytes: request.memoryBytes } : {}),
    ...(request.nanoCpus !== undefined ? { nanoCpus: request.nanoCpus } : {}),
    shmSizeBytes: request.shmSizeBytes,
    recipeHash: request.image ? 'ready-image' : recipe.hash,
    version: productVersion(ctx.assetsRoot),
    overrideEntrypoint: request.image !== undefined,
    owner: ownerFor(engine),
    ...(choice.count !== undefined ? { gpuCount: choice.count } : {}),
    ...(request.idleStopMs !== undefined ? { idleStopMs: request.idleStopMs } : {}),
  });
  const container = await withDeadline('container create', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => docker.createContainer({ ...options, abortSignal: s }));
  try {
    if (request.image) await prepareReadyImage(container, request.image, request.fields, ctx);
    if (request.idleStopMs !== undefined) await putIdleWatcher(container, ctx);
    const runKeyGid = owner.uid === 0 ? 0 : owner.gid;
    const firstStart = await firstStartArchive({ ...keys, runKeyGid, runner: shippedRunner().content });
    ctx.progress({ kind: 'step', step: 'start', message: `Starting gpu-env-${request.name}` });
    // Attached while it starts, not before (a round trip less): standard input stays open until the
    // archive is written, and the entrypoint waits for it (see key-delivery.ts).
    const attaching = withDeadline('container attach', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => attachFirstStartChannel(container, s));
    const [attached, started] = await Promise.allSettled([
      attaching,
      withDeadline('container start', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => container.start({ abortSignal: s })),
    ]);
    if (started.status === 'rejected') {
      if (attached.status === 'fulfilled') attached.value.close();
      throw started.reason;
    }
    if (attached.status === 'rejected') throw attached.reason;
    const keysSent = attached.value.send(firstStart);
    const ready = await readyEnvironment(engine, request.name, ctx, keysSent);
    // sshd answered, so the entrypoint took the runner and run key in with the SSH keys.
    recordTrustedFiles(ctx.stateDir, request.name, trustedFilesStamp(container.id, shippedRunner().sha256, keys.runKey, runKeyGid));
    return { info: ready, action: 'created', warnings };
  } catch (error) {
    // Nothing left behind: a half-made environment is removed (without the caller's signal, which may be aborted).
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw error;
  }
}

/** `docker info`'s DockerRootDir, for a "no space left on device" message. */
function dataRootOf(info: unknown): string | undefined {
  const root = typeof info === 'object' && info !== null ? (info as { DockerRootDir?: unknown }).DockerRootDir : undefined;
  return typeof root === 'string' && root !== '' ? root : undefined;
}

/**
 * Where images come from, as the docker CLI would have it: registry credentials and build proxies
 * from its config.json (DOCKER_CONFIG), read on this machine also for an engine on another one.
 */
function imageSources(engine: Engine, request: UpRequest, ctx: CoreContext, dataRoot: string | undefined): {
  options: ImageOptions;
  build: BuildSettings & { proxySource?: string };
  warnings: string[];
} {
  const config = readDockerConfig(ctx.env, ctx.homeDir);
  const proxies = chooseProxies(config.proxies, config.file, engine.endpoint.url, engine.endpoint.url.startsWith('unix://'), ctx.env);
  for (const message of proxies.warnings) ctx.progress({ kind: 'warning', message });
  return {
    options: {
      pull: request.pull,
      pullOptions: { credentials: (ref) => registryAuthFor(ref, config, ctx.env, ctx.signal), ...(dataRoot ? { dataRoot } : {}) },
    },
    build: {
      proxies: proxies.args,
      ...(proxies.source ? { proxySource: proxies.source } : {}),
      ...(request.aptMirror ? { aptMirror: request.aptMirror } : {}),
      ...(request.pipIndexUrl ? { pipIndexUrl: request.pipIndexUrl } : {}),
    },
    warnings: [...proxies.warnings],
  };
}

/**
 * The folder mounted at /workspace and whose owner the container user becomes. On a remote host it is
 * a folder there, made over the host's SSH connection; a root-owned one needs an explicit uid, as
 * locally.
 */
async function workspaceOwner(engine: Engine, request: UpRequest, ctx: CoreContext): Promise<RemoteFolder> {
  if (!engine.remote) {
    if (request.remote) throw new GpuEnvError(`the engine at ${engine.endpoint.url} is on this machine, but the request was made for a remote host; give a local folder instead`, 'usage');
    return { path: request.workspace, uid: request.uid, gid: request.gid };
  }
  if (!request.remote) {
    throw new GpuEnvError(`the engine at ${engine.endpoint.url} is on another machine: the workspace must be a folder there (${request.fields.remoteWorkspace} PATH, default ~/gpu-env/${request.name})`, 'usage');
  }
  ctx.progress({ kind: 'step', step: 'create', message: `Preparing ${request.remote.workspace} on ${engine.remote.label}` });
  const folder = await ensureRemoteWorkspace(engine.remote.connection, request.remote.workspace, ctx.signal);
  const explicit = request.remote.explicitUid;
  if (explicit === undefined && folder.uid === 0) {
    throw new GpuEnvError(`the workspace ${folder.path} on ${engine.remote.label} is owned by root, so files written in the container would be root's. Pass ${request.fields.uid} N to use another user id, or ${request.fields.uid} 0 to run as root on purpose`, 'usage');
  }
  return explicit === undefined ? folder : { path: folder.path, uid: explicit, gid: explicit };
}

/** The idle watcher the entrypoint starts (media/agent/gpu_env_idle.py), with the agent it samples GPUs with. */
async function putIdleWatcher(container: Docker.Container, ctx: CoreContext): Promise<void> {
  await putFiles(container, IDLE_WATCHER_DIR, ['gpu_env_idle.py', 'gpu_env_agent.py'].map((name) => ({
    name, content: readAsset(ctx.assetsRoot, 'media', 'agent', name), mode: 0o644,
  })), ctx.signal);
}


/** How to apply options to an existing environment, in the words of the front end that asked. */
function recreateHint(request: UpRequest): string {
  return request.fields.name === '--name' || request.fields.name === undefined
    ? 'run the same `gpu-env up` with --recreate'
    : 'choose Recreate';
}

/** The old container goes (stopped first, so sshd and runs end), keys and files stay; `create` follows. */
async function replaceContainer(engine: Engine, existing: Docker.ContainerInspectInfo, ctx: CoreContext): Promise<void> {
  ctx.progress({ kind: 'step', step: 'remove', message: `Replacing ${existing.Name.slice(1)}` });
  const container = engine.docker.getContainer(existing.Id);
  if (existing.State.Running) await withDeadline('container stop', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => container.stop({ t: 10, abortSignal: s }));
  await withDeadline('container remove', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => container.remove({ force: true, abortSignal: s }));
}

/**
 * What the container's start runs, from outside the workspace: gpu-env's own runner (root's, in
 * /opt/gpu-env) for resuming runs, and the key that tells its runs from run.json files that came
 * with the workspace (readable by the container user's group, whose runner seals new runs with it).
 */
async function putTrustedFiles(container: Docker.Container, runKey: string, gid: number, ctx: CoreContext): Promise<void> {
  // One archive, one engine call.
  await putFiles(container, '/', [
    { name: 'opt/gpu-env/gpu_env_run.py', content: shippedRunner().content, mode: 0o755 },
    { name: 'etc/gpu-env/run_key', content: `${runKey}\n`, mode: 0o440, gid },
  ], ctx.signal);
}

/** putTrustedFiles, unless this container already got the same files from here (see trusted-files.ts). */
async function ensureTrustedFiles(container: Docker.Container, stateDir: string, name: string, runKey: string, gid: number, ctx: CoreContext): Promise<void> {
  const stamp = trustedFilesStamp(container.id, shippedRunner().sha256, runKey, gid);
  if (trustedFilesCurrent(stateDir, name, stamp)) return;
  await putTrustedFiles(container, runKey, gid, ctx);
  recordTrustedFiles(stateDir, name, stamp);
}

/** The group the container user was made with (GPU_ENV_GID, see spec.ts); root's when unknown. */
function containerGid(inspect: Docker.ContainerInspectInfo): number {
  const gid = Number((inspect.Config.Env ?? []).find((e) => e.startsWith('GPU_ENV_GID='))?.slice('GPU_ENV_GID='.length));
  return Number.isInteger(gid) && gid >= 0 ? gid : 0;
}

async function prepareReadyImage(container: Docker.Container, image: string, fields: DockerFieldNames, ctx: CoreContext): Promise<void> {
  if (!(await containerHasPath(container, '/usr/sbin/sshd', ctx.signal))) {
    throw new GpuEnvError(`${fields.image} ${image}: the image has no OpenSSH server (/usr/sbin/sshd); install openssh-server in it, or use ${fields.baseImage} ${image} to build the gpu-env recipe on top of it`, 'usage');
  }
  const entrypoint = readAsset(ctx.assetsRoot, 'media', 'recipe', 'entrypoint.sh');
  await putFiles(container, '/opt/gpu-env', [{ name: 'entrypoint.sh', content: entrypoint, mode: 0o755 }], ctx.signal);
}

/**
 * After a start: read the port the engine chose, write the SSH config, run the first command.
 * `keysSent`: a new container's first-start files on their way in, meanwhile.
 */
async function readyEnvironment(engine: Engine, name: string, ctx: CoreContext, keysSent: Promise<void> = Promise.resolve()): Promise<EnvironmentInfo> {
  // Settled at once, so that a failed send is not an unhandled rejection while the inspect runs.
  const sent = settled(keysSent);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`environment "${name}" disappeared while starting`);
  const info = environmentInfoOn(engine, inspect);
  if (info.ssh.port === null) throw new GpuEnvError(`environment "${name}" has no published SSH port; remove it with \`gpu-env rm ${name}\` and run up again`);
  const jumps = engine.remote ? jumpHostsFor(engine.remote.chain, ctx.homeDir) : [];
  ctx.progress({ kind: 'step', step: 'ssh', message: 'Waiting for SSH' });
  // The first attempt dials while the SSH config is written and the keys finish arriving.
  const attempts = new AbortController();
  const stopAttempts = (): void => attempts.abort();
  ctx.signal?.addEventListener('abort', stopAttempts, { once: true });
  const connecting = connectToEnvironment(engine, info, { stateDir: ctx.stateDir, signal: attempts.signal });
  let session: SshSession;
  try {
    writeHostBlock(ctx.stateDir, name, { host: info.ssh.host, port: info.ssh.port, user: info.ssh.user, ...(info.ssh.jump ? { jump: info.ssh.jump } : {}) }, jumps);
    const delivery = await sent;
    if (delivery.failed) throw delivery.error;
    session = await connecting;
  } catch (error) {
    attempts.abort();
    void connecting.then((late) => late.close(), () => undefined);
    throw error;
  } finally {
    ctx.signal?.removeEventListener('abort', stopAttempts);
  }
  try {
    const result = await session.exec('true');
    if (result.code !== 0) throw new GpuEnvError(`first SSH command in "${name}" failed (exit ${String(result.code)}): ${result.stderr.trim()}`);
  } finally {
    session.close();
  }
  return info;
}

/** A promise that never rejects: its outcome, for awaiting later without an unhandled rejection meanwhile. */
function settled(promise: Promise<void>): Promise<{ failed: false } | { failed: true; error: unknown }> {
  return promise.then(() => ({ failed: false as const }), (error: unknown) => ({ failed: true as const, error }));
}
