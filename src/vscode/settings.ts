import { usageError } from '../shared/errors';
import type { FieldNames, UpInput } from '../core/lifecycle/request';
import type { SlurmFieldNames, SlurmOptionsInput } from '../core/slurm/job-options';
import { parseDurationMs } from '../shared/durations';

/** The `gpuEnv.*` settings as the user wrote them; validation happens where they are used. */
export interface ExtensionSettings {
  readonly engineHost?: string;
  readonly baseImage?: string;
  readonly image?: string;
  readonly gpus?: string;
  readonly memory?: string;
  readonly cpus?: string;
  readonly shmSize?: string;
  readonly workspaceFolder?: string;
  /** The folder on a remote (ssh://) Docker host; ignored for an engine on this machine. */
  readonly remoteWorkspace?: string;
  readonly aptMirror?: string;
  readonly pipIndexUrl?: string;
  readonly environmentName?: string;
  readonly uid?: string;
  /** Stop an environment after this long unused (`30m`); off when unset. */
  readonly idleStop?: string;
  /** The batch job's options, used when gpuEnv.engineHost is a slurm:// cluster; absent when none is set. */
  readonly slurm?: SlurmOptionsInput;
  readonly autoStart: boolean;
  readonly monitorIntervalMs: number;
}

export const SECTION = 'gpuEnv';

/** The CLI's validators name the field the user set; in VS Code that is the setting. */
export const SETTING_FIELDS: FieldNames = {
  name: 'gpuEnv.environmentName',
  workspace: 'gpuEnv.workspaceFolder',
  uid: 'gpuEnv.uid',
  gpus: 'gpuEnv.gpus',
  memory: 'gpuEnv.memory',
  cpus: 'gpuEnv.cpus',
  shmSize: 'gpuEnv.shmSize',
  baseImage: 'gpuEnv.baseImage',
  image: 'gpuEnv.image',
  host: 'gpuEnv.engineHost',
  remoteWorkspace: 'gpuEnv.remoteWorkspace',
  aptMirror: 'gpuEnv.aptMirror',
  pipIndexUrl: 'gpuEnv.pipIndexUrl',
  idleStop: 'gpuEnv.idleStop',
  slurm: slurmSettingNames(),
};

/** `gpuEnv.slurm.<option>` for each Slurm option (the CLI's `--partition` is `gpuEnv.slurm.partition`). */
function slurmSettingNames(): SlurmFieldNames {
  const keys: readonly (keyof SlurmFieldNames)[] = ['partition', 'account', 'qos', 'time', 'nodes', 'gpusPerNode', 'cpusPerTask', 'mem', 'constraint', 'setup', 'containerImage', 'sbatchArgs'];
  return Object.fromEntries(keys.map((key) => [key, `gpuEnv.slurm.${key}`])) as unknown as SlurmFieldNames;
}

export const MONITOR_INTERVAL = { key: 'gpuEnv.monitor.intervalMs', defaultMs: 1000, minMs: 250, maxMs: 60_000 } as const;

/** Reads one key under `gpuEnv` (e.g. `memory`, `monitor.intervalMs`); `vscode.WorkspaceConfiguration.get` in the extension. */
export type SettingReader = (key: string) => unknown;

/**
 * settings.json is hand-edited, so every value is checked for its type here; a wrong type is a usage
 * error naming the setting, like a wrong value.
 */
export function readSettings(get: SettingReader): ExtensionSettings {
  const text = (key: string): Record<string, string> => {
    const value = textSetting(get, key);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    ...text('engineHost'),
    ...text('baseImage'),
    ...text('image'),
    ...text('gpus'),
    ...text('memory'),
    ...text('cpus'),
    ...text('shmSize'),
    ...text('workspaceFolder'),
    ...text('remoteWorkspace'),
    ...text('aptMirror'),
    ...text('pipIndexUrl'),
    ...text('environmentName'),
    ...text('uid'),
    ...text('idleStop'),
    ...slurmSettings(get),
    autoStart: booleanSetting(get, 'autoStart'),
    monitorIntervalMs: monitorInterval(get),
  };
}

function textSetting(get: SettingReader, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  // Numbers are fine where the CLI takes them as text (cpus, uid, memory in bytes).
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw usageError(`${SECTION}.${key}: ${JSON.stringify(value)} is not accepted; use a text value (see the setting's description)`);
}

const SLURM_TEXT_KEYS = ['partition', 'account', 'qos', 'time', 'nodes', 'gpusPerNode', 'cpusPerTask', 'mem', 'constraint', 'containerImage'] as const;

/** `{ slurm: {…} }` with the gpuEnv.slurm.* values that are set, or nothing when none is. */
function slurmSettings(get: SettingReader): { slurm?: SlurmOptionsInput } {
  const slurm: Record<string, string | string[]> = {};
  for (const key of SLURM_TEXT_KEYS) {
    const value = textSetting(get, `slurm.${key}`);
    if (value !== undefined) slurm[key] = value;
  }
  const setup = listSetting(get, 'slurm.setup');
  const sbatchArgs = listSetting(get, 'slurm.sbatchArgs');
  if (setup.length > 0) slurm.setup = setup;
  if (sbatchArgs.length > 0) slurm.sbatchArgs = sbatchArgs;
  return Object.keys(slurm).length > 0 ? { slurm: slurm as SlurmOptionsInput } : {};
}

/** A list of text values; one text value is taken as a list of one. */
function listSetting(get: SettingReader, key: string): string[] {
  const value = get(key);
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.trim() === '' ? [] : [value];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value.filter((item) => item.trim() !== '');
  throw usageError(`${SECTION}.${key}: ${JSON.stringify(value)} is not accepted; use a list of text values, e.g. ["module load cuda/12.4"]`);
}

function booleanSetting(get: SettingReader, key: string): boolean {
  const value = get(key);
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  throw usageError(`${SECTION}.${key}: ${JSON.stringify(value)} is not accepted; use true or false`);
}

function monitorInterval(get: SettingReader): number {
  const value = get('monitor.intervalMs');
  if (value === undefined || value === null) return MONITOR_INTERVAL.defaultMs;
  return parseDurationMs(MONITOR_INTERVAL.key, typeof value === 'number' ? String(value) : JSON.stringify(value), MONITOR_INTERVAL.minMs, MONITOR_INTERVAL.maxMs);
}

/** An existing environment to start again: its own name and mounted folder win over the settings. */
export interface StartTarget {
  readonly name: string;
  /** Known for an existing environment; absent for a new one named by its caller. */
  readonly workspace?: string;
}

/**
 * Settings → the same `UpInput` the CLI builds from flags. The workspace defaults to the first open
 * folder; a relative `gpuEnv.workspaceFolder` is taken relative to it. When the engine is on another
 * machine (`engineRemote`), the files live there: `gpuEnv.remoteWorkspace` (or an existing
 * environment's own folder) is passed, and no local folder is needed. For a local engine it is left
 * out, since the core refuses it there and a user-level value would otherwise break local starts.
 */
export function upInputFromSettings(settings: ExtensionSettings, workspaceFolders: readonly string[], target?: StartTarget, engineRemote = false): UpInput {
  const workspace = target?.workspace ?? settings.workspaceFolder ?? workspaceFolders[0];
  const remoteWorkspace = engineRemote ? target?.workspace ?? settings.remoteWorkspace : undefined;
  if (workspace === undefined && !engineRemote) {
    throw usageError(`${SETTING_FIELDS.workspace}: no folder is open; open a folder, or set ${SETTING_FIELDS.workspace} to the folder to mount at /workspace`);
  }
  return {
    name: target?.name ?? settings.environmentName ?? 'default',
    workspace,
    uid: settings.uid,
    gpus: settings.gpus,
    memory: settings.memory,
    cpus: settings.cpus,
    shmSize: settings.shmSize,
    baseImage: settings.baseImage,
    image: settings.image,
    host: settings.engineHost,
    ...(settings.slurm ? { slurm: settings.slurm } : {}),
    ...(remoteWorkspace !== undefined ? { remoteWorkspace } : {}),
    aptMirror: settings.aptMirror,
    pipIndexUrl: settings.pipIndexUrl,
    idleStop: settings.idleStop,
  };
}

/** The folder relative settings resolve against: the first workspace folder, else the home folder. */
export function settingsBaseDir(workspaceFolders: readonly string[], homeDir: string): string {
  return workspaceFolders[0] ?? homeDir;
}
