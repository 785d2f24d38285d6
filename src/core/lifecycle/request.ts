import { resolve } from 'node:path';
import { usageError } from '../errors';
import { DEFAULT_BASE_IMAGE } from '../image/recipe';
import { DEFAULT_SHM_BYTES } from '../container/spec';
import {
  parseCpus, parseGpus, parseSize, parseUid, validateImageRef, validateName, validateWorkspace, type GpuRequest,
} from '../validate';
import { validateEngineUrl } from '../engine/resolve';

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
}

/** How each input is called where the user set it (`--memory`, or `gpuEnv.memory`). */
export type FieldNames = Record<keyof UpInput, string>;

export const CLI_FIELDS: FieldNames = {
  name: '--name', workspace: '--workspace', uid: '--uid', gpus: '--gpus', memory: '--memory', cpus: '--cpus',
  shmSize: '--shm-size', baseImage: '--base-image', image: '--image', host: '--host',
};

export interface UpRequest {
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
}

/**
 * Validates everything before any engine call, so bad input creates nothing. The workspace owner's
 * UID/GID become the container user's, unless `uid` is given; a root-owned workspace needs an
 * explicit choice.
 */
export function validateUpInput(input: UpInput, fields: FieldNames, env: NodeJS.ProcessEnv, cwd: string): UpRequest {
  const name = validateName(fields.name, input.name ?? 'default');
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
  const host = nonEmpty(input.host);
  if (host) validateEngineUrl(fields.host, host);
  return {
    name,
    workspace: workspace.path,
    uid,
    gid,
    gpus: nonEmpty(input.gpus) ? parseGpus(fields.gpus, input.gpus!) : { kind: 'auto' },
    ...(nonEmpty(input.memory) ? { memoryBytes: parseSize(fields.memory, input.memory!) } : {}),
    ...(nonEmpty(input.cpus) ? { nanoCpus: parseCpus(fields.cpus, input.cpus!) } : {}),
    shmSizeBytes: nonEmpty(input.shmSize) ? parseSize(fields.shmSize, input.shmSize!) : DEFAULT_SHM_BYTES,
    baseImage,
    ...(image ? { image: validateImageRef(fields.image, image) } : {}),
    ...(host ? { host } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
