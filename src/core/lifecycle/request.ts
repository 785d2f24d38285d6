import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { isUsageError, usageError } from '../errors';
import { DEFAULT_BASE_IMAGE } from '../image/recipe';
import { DEFAULT_SHM_BYTES } from '../container/spec';
import {
  parseCpus, parseGpus, parseIdleStop, parseMemory, parseShmSize, parseUid, validateImageRef, validateName, validateSourceUrl, validateWorkspace, type GpuRequest,
} from '../validate';
import { resolveEngine, validateEngineUrl } from '../engine/resolve';
import { defaultRemoteWorkspace, validateRemoteWorkspace } from '../remote/remote-workspace';
import { parseSlurmUrl } from '../remote/target';
import { CLI_SLURM_FIELDS, setSlurmFields, validateSlurmOptions, type SlurmFieldNames, type SlurmJobSpec, type SlurmOptionsInput } from '../slurm/job-options';

/** `up` as the user typed it: strings from flags or settings, unvalidated. */
export interface UpInput {
  readonly name?: string | undefined;
  readonly workspace?: string | undefined;
  readonly uid?: string | undefined;
  readonly gpus?: string | undefined;
  readonly memory?: string | undefined;
  readonly cpus?: string | undefined;
  readonly shmSize?: string | undefined;
  readonly baseImage?: string | undefined;
  readonly image?: string | undefined;
  readonly host?: string | undefined;
  /** The workspace folder on a remote (ssh://) host or a cluster; `~/gpu-env/NAME` when not given. */
  readonly remoteWorkspace?: string | undefined;
  /** A Debian/Ubuntu archive mirror for the recipe's apt step. */
  readonly aptMirror?: string | undefined;
  /** A pip index for the recipe's JupyterLab install. */
  readonly pipIndexUrl?: string | undefined;
  /** Pull the base (or ready) image even when the engine has it. */
  readonly pull?: boolean | undefined;
  /** The batch job's options, for a slurm:// target only. */
  readonly slurm?: SlurmOptionsInput | undefined;
  /** Stop the environment after this long unused (`30m`, `2h`, `off`). */
  readonly idleStop?: string | undefined;
  /** Replace an existing container by one made with these options (keys, workspace and runs stay). */
  readonly recreate?: boolean | undefined;
}

/**
 * How each input is called where the user set it (`--memory`, or `gpuEnv.memory`): the core's
 * errors name it so. `remoteWorkspace` is optional so that front ends written before it keep
 * compiling; it defaults to the CLI's name.
 */
export type FieldNames = Record<Exclude<keyof UpInput, 'remoteWorkspace' | 'pull' | 'slurm' | 'recreate'>, string> & { readonly remoteWorkspace?: string; readonly slurm: SlurmFieldNames };

/** The names `up` itself still reports against, after validation (a root-owned remote folder, a ready image without sshd, GPUs the engine lacks). */
export type DockerFieldNames = Pick<FieldNames, 'uid' | 'gpus' | 'image' | 'baseImage'> & Partial<Pick<FieldNames, 'name' | 'workspace' | 'memory' | 'cpus' | 'shmSize' | 'idleStop'>> & { readonly remoteWorkspace: string };

export const CLI_FIELDS: FieldNames = {
  name: '--name', workspace: '--workspace', uid: '--uid', gpus: '--gpus', memory: '--memory', cpus: '--cpus',
  shmSize: '--shm-size', baseImage: '--base-image', image: '--image', host: '--host', remoteWorkspace: '--remote-workspace',
  aptMirror: '--apt-mirror', pipIndexUrl: '--pip-index-url', idleStop: '--idle-stop',
  slurm: CLI_SLURM_FIELDS,
};

/**
 * Settings hold values for every kind of target at once (a user may switch gpuEnv.engineHost between
 * a Docker host and a cluster): those for the other kind are left out here rather than refused, as
 * flags are. Only for settings.
 */
export function settingsForTarget(input: UpInput): UpInput {
  if (input.host?.trim().startsWith('slurm://')) {
    const { uid: _uid, gpus: _gpus, memory: _memory, cpus: _cpus, shmSize: _shm, baseImage: _base, image: _image, aptMirror: _apt, pipIndexUrl: _pip, pull: _pull, ...slurm } = input;
    return slurm;
  }
  const { slurm: _slurm, ...docker } = input;
  return docker;
}

/** A validated `up`: a container on a Docker engine, or a batch job on a Slurm cluster. */
export type UpRequest = DockerUpRequest | SlurmUpRequest;

/**
 * An environment on a Slurm cluster: one long-lived batch job, its workspace a folder of the
 * cluster's shared file system.
 */
export interface SlurmUpRequest {
  readonly kind: 'slurm';
  readonly name: string;
  /** `slurm://[user@]login[:port]` or `slurm://ALIAS`. */
  readonly host: string;
  readonly job: SlurmJobSpec;
  /** The workspace on the cluster (`~/…` or absolute), made if missing; the same as `remote.workspace`. */
  readonly workspace: string;
  readonly remote: { readonly workspace: string };
  /** How the user named the options the cluster itself checks (partition, time), for its errors. */
  readonly fields: Pick<SlurmFieldNames, 'partition' | 'time' | 'containerImage'>;
  /** Cancel the job after this long unused (no SSH session, no run, GPUs under the threshold). */
  readonly idleStopMs?: number;
}

export interface DockerUpRequest {
  readonly kind?: 'docker';
  readonly name: string;
  readonly workspace: string;
  readonly uid: number;
  readonly gid: number;
  readonly gpus: GpuRequest;
  readonly memoryBytes?: number;
  readonly nanoCpus?: number;
  readonly shmSizeBytes: number;
  readonly baseImage: string;
  readonly image?: string;
  readonly host?: string;
  readonly aptMirror?: string;
  readonly pipIndexUrl?: string;
  /** Pull the base or ready image even when the engine has it; only for a new environment. */
  readonly pull: boolean;
  /** Stop the container after this long unused (no SSH session, no run, GPUs under the threshold). */
  readonly idleStopMs?: number;
  /**
   * Set when the engine is on another machine (ssh://): `workspace` is a folder there, created over
   * SSH by `up`, whose owner's UID/GID the container user gets unless `uid` was given. `uid`/`gid`
   * above are then the explicit UID, or -1 until `up` has read the owner.
   */
  readonly remote?: { readonly workspace: string; readonly explicitUid?: number };
  /** How the user named the options `up` reports against after validation, for its errors. */
  readonly fields: DockerFieldNames;
  /** The options the user set (not defaults): an existing environment is compared on these only. */
  readonly given?: readonly GivenOption[];
  /** Replace an existing container by one made with these options (keys, workspace and runs stay). */
  readonly recreate?: boolean;
}

export type GivenOption = 'workspace' | 'uid' | 'gpus' | 'memory' | 'cpus' | 'shmSize' | 'baseImage' | 'image' | 'idleStop';
const GIVEN_OPTIONS: readonly GivenOption[] = ['workspace', 'uid', 'gpus', 'memory', 'cpus', 'shmSize', 'baseImage', 'image', 'idleStop'];

/** Which options the input sets; the base image also counts when GPU_ENV_BASE_IMAGE sets it. */
function givenOptions(input: UpInput, env: NodeJS.ProcessEnv): { given: GivenOption[]; recreate?: true } {
  const given = GIVEN_OPTIONS.filter((key) => nonEmpty(input[key]) !== undefined || (key === 'baseImage' && nonEmpty(env.GPU_ENV_BASE_IMAGE) !== undefined));
  return { given, ...(input.recreate === true ? { recreate: true } : {}) };
}

/**
 * Validates everything before any engine call, so bad input creates nothing. The workspace owner's
 * UID/GID become the container user's, unless `uid` is given; a root-owned workspace needs an
 * explicit choice.
 */
export function validateUpInput(input: UpInput, fields: FieldNames, env: NodeJS.ProcessEnv, cwd: string, homeDir: string = homedir()): UpRequest {
  const name = validateName(fields.name, input.name ?? 'default');
  const host = nonEmpty(input.host);
  if (host) validateEngineUrl(fields.host, host, { allowHostAlias: true });
  if (host?.startsWith('slurm://')) return validateSlurmUpInput(name, host, input, fields);
  const slurmFields = fields.slurm;
  const slurmOnly = setSlurmFields(input.slurm ?? {}, slurmFields);
  if (slurmOnly.length > 0) {
    throw usageError(`${slurmOnly.join(', ')}: only for a Slurm cluster (${fields.host} slurm://[user@]login[:port]); this target is a Docker engine`);
  }
  if (engineIsRemote(host, fields, env, homeDir)) return validateRemoteUpInput(name, host, input, fields, env);
  if (nonEmpty(input.remoteWorkspace)) {
    throw usageError(`${remoteWorkspaceField(fields)}: only for an engine on another machine (ssh://…); this engine is on this machine, so give the folder with ${fields.workspace}`);
  }
  const workspace = validateWorkspace(fields.workspace, resolve(cwd, input.workspace ?? '.'));
  const explicitUid = input.uid !== undefined && input.uid !== '' ? parseUid(fields.uid, input.uid) : undefined;
  if (explicitUid === undefined && workspace.uid === 0) {
    throw usageError(
      `${fields.workspace}: "${workspace.path}" is owned by root, so files written in the container would be root's. Pass ${fields.uid} N to use your own user id, or ${fields.uid} 0 to run as root on purpose`,
    );
  }
  const uid = explicitUid ?? workspace.uid;
  const gid = explicitUid === undefined ? workspace.gid : explicitUid;
  const baseImage = validateImageRef(fields.baseImage, nonEmpty(input.baseImage) ?? nonEmpty(env.GPU_ENV_BASE_IMAGE) ?? DEFAULT_BASE_IMAGE);
  const image = nonEmpty(input.image);
  return {
    name,
    workspace: workspace.path,
    uid,
    gid,
    gpus: nonEmpty(input.gpus) ? parseGpus(fields.gpus, input.gpus!) : { kind: 'auto' },
    ...(nonEmpty(input.memory) ? { memoryBytes: parseMemory(fields.memory, input.memory!) } : {}),
    ...(nonEmpty(input.cpus) ? { nanoCpus: parseCpus(fields.cpus, input.cpus!) } : {}),
    shmSizeBytes: nonEmpty(input.shmSize) ? parseShmSize(fields.shmSize, input.shmSize!) : DEFAULT_SHM_BYTES,
    baseImage,
    ...(image ? { image: validateImageRef(fields.image, image) } : {}),
    ...(host ? { host } : {}),
    ...imageSources(input, fields),
    ...idleStop(input, fields),
    fields: dockerFields(fields),
    ...givenOptions(input, env),
  };
}

/** On a cluster the watcher runs on the job's first node: it sees SSH sessions and runs there only. */
function slurmIdleStop(input: UpInput, fields: FieldNames, nodes: number, nodesField: string): { idleStopMs?: number } {
  const requested = idleStop(input, fields);
  if (requested.idleStopMs !== undefined && nodes > 1) {
    throw usageError(`${fields.idleStop}: idle stop is for one-node jobs (it watches the job's first node); leave it out with ${nodesField} ${nodes}, the job's time limit ends it`);
  }
  return requested;
}

function idleStop(input: UpInput, fields: FieldNames): { idleStopMs?: number } {
  const ms = nonEmpty(input.idleStop) ? parseIdleStop(fields.idleStop, input.idleStop!) : undefined;
  return ms === undefined ? {} : { idleStopMs: ms };
}

/** Options that mean a container; on a cluster each has its Slurm counterpart (or none). */
const DOCKER_ONLY: readonly { key: 'uid' | 'gpus' | 'memory' | 'cpus' | 'shmSize' | 'baseImage' | 'image' | 'aptMirror' | 'pipIndexUrl'; instead: (slurm: SlurmFieldNames) => string }[] = [
  { key: 'gpus', instead: (f) => `ask for GPUs per node with ${f.gpusPerNode}` },
  { key: 'memory', instead: (f) => `ask for memory per node with ${f.mem}` },
  { key: 'cpus', instead: (f) => `ask for CPUs with ${f.cpusPerTask}` },
  { key: 'image', instead: (f) => `run a container image with ${f.containerImage} (pyxis or Apptainer)` },
  { key: 'baseImage', instead: (f) => `run a container image with ${f.containerImage} (pyxis or Apptainer)` },
  { key: 'shmSize', instead: () => 'a job\'s /dev/shm is the node\'s' },
  { key: 'uid', instead: () => 'the job runs as your cluster user' },
  { key: 'aptMirror', instead: (f) => `nothing is built (set up software with ${f.setup}, or use ${f.containerImage})` },
  { key: 'pipIndexUrl', instead: (f) => `nothing is built (set up software with ${f.setup}, or use ${f.containerImage})` },
];

/**
 * The Slurm case: every option checked here, before the cluster is contacted; what only the cluster
 * knows (its partitions and their limits) is checked by `up` before anything is submitted.
 */
function validateSlurmUpInput(name: string, host: string, input: UpInput, fields: FieldNames): SlurmUpRequest {
  parseSlurmUrl(fields.host, host);
  const slurmFields = fields.slurm;
  for (const option of DOCKER_ONLY) {
    if (nonEmpty(input[option.key]) !== undefined) {
      throw usageError(`${fields[option.key]}: only for a Docker engine; on a Slurm cluster ${option.instead(slurmFields)}`);
    }
  }
  if (input.pull === true) throw usageError('--pull: only for a Docker engine; on a Slurm cluster nothing is pulled');
  if (input.recreate === true) throw usageError('--recreate: only for a Docker engine; on a Slurm cluster stop the environment (gpu-env down) and start it again with the new options');
  const workspace = validateRemoteWorkspace(remoteWorkspaceField(fields), nonEmpty(input.remoteWorkspace) ?? defaultRemoteWorkspace(name));
  const job = validateSlurmOptions(input.slurm ?? {}, slurmFields);
  return {
    kind: 'slurm',
    name,
    host,
    job,
    workspace,
    remote: { workspace },
    fields: { partition: slurmFields.partition, time: slurmFields.time, containerImage: slurmFields.containerImage },
    ...slurmIdleStop(input, fields, job.nodes, slurmFields.nodes),
  };
}

/** The remote case: nothing local to check; the folder and its owner are settled on the host by `up`. */
function validateRemoteUpInput(name: string, host: string | undefined, input: UpInput, fields: FieldNames, env: NodeJS.ProcessEnv): DockerUpRequest {
  const workspace = validateRemoteWorkspace(remoteWorkspaceField(fields), nonEmpty(input.remoteWorkspace) ?? defaultRemoteWorkspace(name));
  const explicitUid = nonEmpty(input.uid) ? parseUid(fields.uid, input.uid!) : undefined;
  const image = nonEmpty(input.image);
  return {
    name,
    workspace,
    uid: explicitUid ?? -1,
    gid: explicitUid ?? -1,
    gpus: nonEmpty(input.gpus) ? parseGpus(fields.gpus, input.gpus!) : { kind: 'auto' },
    ...(nonEmpty(input.memory) ? { memoryBytes: parseMemory(fields.memory, input.memory!) } : {}),
    ...(nonEmpty(input.cpus) ? { nanoCpus: parseCpus(fields.cpus, input.cpus!) } : {}),
    shmSizeBytes: nonEmpty(input.shmSize) ? parseShmSize(fields.shmSize, input.shmSize!) : DEFAULT_SHM_BYTES,
    baseImage: validateImageRef(fields.baseImage, nonEmpty(input.baseImage) ?? nonEmpty(env.GPU_ENV_BASE_IMAGE) ?? DEFAULT_BASE_IMAGE),
    ...(image ? { image: validateImageRef(fields.image, image) } : {}),
    ...(host ? { host } : {}),
    ...imageSources(input, fields),
    ...idleStop(input, fields),
    fields: dockerFields(fields),
    remote: { workspace, ...(explicitUid !== undefined ? { explicitUid } : {}) },
    ...givenOptions(input, env),
  };
}

function dockerFields(fields: FieldNames): DockerFieldNames {
  return {
    name: fields.name, workspace: fields.workspace, uid: fields.uid, gpus: fields.gpus, memory: fields.memory, cpus: fields.cpus, shmSize: fields.shmSize,
    image: fields.image, baseImage: fields.baseImage, idleStop: fields.idleStop, remoteWorkspace: remoteWorkspaceField(fields),
  };
}

function remoteWorkspaceField(fields: FieldNames): string {
  return fields.remoteWorkspace ?? CLI_FIELDS.remoteWorkspace!;
}

/** Where the image's parts come from: mirrors for the recipe's install steps, and whether to pull again. */
function imageSources(input: UpInput, fields: FieldNames): Pick<DockerUpRequest, 'aptMirror' | 'pipIndexUrl' | 'pull'> {
  const aptMirror = nonEmpty(input.aptMirror);
  const pipIndexUrl = nonEmpty(input.pipIndexUrl);
  return {
    ...(aptMirror ? { aptMirror: validateSourceUrl(fields.aptMirror, aptMirror, 'an apt archive mirror, e.g. https://mirrors.tuna.tsinghua.edu.cn/debian') } : {}),
    ...(pipIndexUrl ? { pipIndexUrl: validateSourceUrl(fields.pipIndexUrl, pipIndexUrl, 'a pip index, e.g. https://pypi.tuna.tsinghua.edu.cn/simple') } : {}),
    pull: input.pull === true,
  };
}

/**
 * Whether the engine `up` will use is reached over SSH. Mistakes in what the user typed surface here;
 * an unreadable docker context does not (the engine step reports it, as before).
 */
export function engineIsRemote(host: string | undefined, fields: FieldNames, env: NodeJS.ProcessEnv, homeDir: string): boolean {
  if (host?.trim().startsWith('slurm://')) {
    parseSlurmUrl(fields.host, host);
    return true;
  }
  const source = fields.host === CLI_FIELDS.host ? '--host' : 'setting';
  try {
    return resolveEngine({ ...(host ? { explicit: { url: host, source } } : {}), env, homeDir }).url.startsWith('ssh://');
  } catch (error) {
    if (host && isUsageError(error)) throw error;
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
