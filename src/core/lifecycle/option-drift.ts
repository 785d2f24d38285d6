/**
 * How an existing environment differs from what `up` was asked for: options are fixed when a
 * container is made, so a second `up` with other ones must say so, and how to apply them.
 */
import type Docker from 'dockerode';
import { LABEL } from '../container/labels';
import { trustedWorkspace } from '../container/trusted-labels';
import { formatIdleStop, formatSize, type GpuRequest } from '../validate';
import { CLI_FIELDS, type DockerUpRequest, type GivenOption } from './request';

export interface OptionDrift {
  /** The option as the user names it (`--memory`, `gpuEnv.memory`). */
  readonly field: string;
  readonly running: string;
  readonly asked: string;
}

type Inspect = Pick<Docker.ContainerInspectInfo, 'Config' | 'HostConfig' | 'Mounts'>;

/** What the running container has, where the request set something else. `recipeImage`: the image the asked base builds to. */
export function optionDrift(existing: Inspect, request: DockerUpRequest, recipeImage?: string): OptionDrift[] {
  const given = new Set<GivenOption>(request.given ?? []);
  const fields = { ...CLI_FIELDS, ...request.fields };
  const drift: OptionDrift[] = [];
  const differ = (option: GivenOption, running: string, asked: string): void => {
    if (given.has(option) && running !== asked) drift.push({ field: fields[option], running, asked });
  };
  const host = existing.HostConfig;
  if (!request.remote) differ('workspace', trustedWorkspace(existing as Docker.ContainerInspectInfo) ?? existing.Config.Labels?.[LABEL.workspace] ?? '(unknown)', request.workspace);
  differ('memory', host.Memory ? formatSize(host.Memory) : 'no limit', request.memoryBytes !== undefined ? formatSize(request.memoryBytes) : 'no limit');
  differ('cpus', host.NanoCpus ? String(host.NanoCpus / 1e9) : 'no limit', request.nanoCpus !== undefined ? String(request.nanoCpus / 1e9) : 'no limit');
  differ('shmSize', host.ShmSize ? formatSize(host.ShmSize) : 'the engine\'s default', formatSize(request.shmSizeBytes));
  differ('uid', envOf(existing, 'GPU_ENV_UID') ?? '(unknown)', String(request.uid));
  differ('gpus', runningGpus(existing), askedGpus(request.gpus, existing));
  if (request.image) differ('image', existing.Config.Image, request.image);
  else if (recipeImage) differ('baseImage', existing.Config.Image, recipeImage);
  const idle = existing.Config.Labels?.[LABEL.idleStop];
  differ('idleStop', idle !== undefined && /^\d+$/.test(idle) ? formatIdleStop(Number(idle)) : 'off', request.idleStopMs !== undefined ? formatIdleStop(request.idleStopMs) : 'off');
  return drift;
}

/** One warning naming every difference and the command that applies them. */
export function driftMessage(name: string, drift: readonly OptionDrift[], applyHint: string): string {
  const lines = drift.map((d) => `${d.field}: runs with ${d.running}, asked ${d.asked}`);
  return `gpu-env-${name} exists and keeps the options it was made with (${lines.join('; ')}). ${applyHint}`;
}

function envOf(existing: Inspect, key: string): string | undefined {
  return (existing.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
}

function gpuRequests(existing: Inspect): Docker.DeviceRequest[] {
  return (existing.HostConfig.DeviceRequests ?? []).filter((r) => (r.Capabilities ?? []).some((c) => c.includes('gpu')));
}

function gpuDeviceIds(existing: Inspect): string[] {
  return gpuRequests(existing).flatMap((r) => r.DeviceIDs ?? []);
}

function runningGpus(existing: Inspect): string {
  const requests = gpuRequests(existing);
  if (requests.length === 0) return 'none';
  if (requests.some((r) => r.Count === -1)) return 'all';
  const count = existing.Config.Labels?.[LABEL.gpuCount];
  const ids = gpuDeviceIds(existing);
  return count !== undefined ? `${count} (${ids.join(',')})` : ids.join(',');
}

/** The request in the words runningGpus uses; a count is met by as many devices as asked. */
function askedGpus(gpus: GpuRequest, existing: Inspect): string {
  switch (gpus.kind) {
    case 'auto': return runningGpus(existing);
    case 'all': return 'all';
    case 'none': return 'none';
    case 'devices': return gpus.ids.join(',');
    case 'count': {
      // Met by as many devices, whether chosen as a count or named.
      const running = runningGpus(existing);
      const devices = gpuDeviceIds(existing);
      return running.startsWith(`${gpus.count} (`) || (devices.length === gpus.count && running !== 'all') ? running : String(gpus.count);
    }
  }
}
