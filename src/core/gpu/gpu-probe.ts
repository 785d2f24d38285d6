/**
 * A fresh sample of every GPU of an engine's machine, with the container of each GPU process: one
 * short-lived container with all GPUs and the machine's PID namespace runs the agent's probe
 * (media/agent/gpu_env_probe.py) once and is removed. Works the same for an engine on this machine,
 * over tcp:// and over ssh://, since it needs nothing but the Engine API. It needs an image with
 * Python; gpu-env's own images have it.
 *
 * The container: no network, no capabilities, no new privileges, the probe and agent copied in
 * (nothing mounted), removed afterwards whatever happened.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { GpuEnvError, messageOf } from '../errors';
import { readAsset } from '../assets';
import { PROBE_LABEL } from '../container/labels';
import type { DeviceRequest } from '../container/gpu-support';
import { putFiles } from '../lifecycle/container-files';
import { demuxText } from '../engine/demux';
import { withDeadline } from '../util/abort';
import { parseAgentLine } from './parse-agent-line';
import type { ProcessOwner } from './gpu-holders';
import type { GpuDevice } from './types';

export const PROBE_TIMEOUT_MS = 60_000;
const PROBE_DIR = '/tmp/gpu-env-probe';
const MAX_OUTPUT_CHARS = 1_000_000;
const PYTHONS = ['python3', '/opt/conda/bin/python3', '/usr/bin/python3'];

export interface ProbeResult {
  readonly devices: readonly GpuDevice[];
  readonly owners: ReadonlyMap<number, ProcessOwner>;
  /** How long the probe took, create to remove (the cost of a fresh sample). */
  readonly elapsedMs: number;
}

export interface ProbeOptions {
  readonly image: string;
  /** The request that gives a container every GPU on this engine (gpu-support.ts). */
  readonly deviceRequests: readonly DeviceRequest[];
  readonly assetsRoot: string;
  readonly signal?: AbortSignal;
}

export async function probeGpus(docker: Docker, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const files = [
    { name: 'gpu_env_agent.py', content: readAsset(options.assetsRoot, 'media', 'agent', 'gpu_env_agent.py'), mode: 0o644 },
    { name: 'gpu_env_probe.py', content: readAsset(options.assetsRoot, 'media', 'agent', 'gpu_env_probe.py'), mode: 0o644 },
  ];
  const script = `for py in ${PYTHONS.join(' ')}; do if command -v "$py" >/dev/null 2>&1; then exec "$py" ${PROBE_DIR}/gpu_env_probe.py; fi; done; echo 'no python3 in the image' >&2; exit 127`;
  const container = await withDeadline('GPU probe create', PROBE_TIMEOUT_MS, options.signal, (signal) => docker.createContainer({
    name: `gpu-env-gpu-probe-${randomBytes(4).toString('hex')}`,
    Image: options.image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [script],
    User: '0',
    Labels: { [PROBE_LABEL]: '1' },
    NetworkDisabled: true,
    HostConfig: {
      DeviceRequests: options.deviceRequests.map((request) => ({ ...request })),
      // NVML names GPU processes by their pid on the machine: only there can /proc say whose they are.
      PidMode: 'host',
      CgroupnsMode: 'host',
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      AutoRemove: false,
    } as Docker.HostConfig,
    abortSignal: signal,
  }));
  try {
    await putFiles(container, PROBE_DIR, files, options.signal);
    const outcome = await withDeadline('GPU probe', PROBE_TIMEOUT_MS, options.signal, async (signal) => {
      await container.start({ abortSignal: signal });
      return (await container.wait({ abortSignal: signal })) as { StatusCode?: number };
    });
    const [stdout, stderr] = await Promise.all([output(container, 'stdout'), output(container, 'stderr')]);
    if (outcome.StatusCode !== 0) {
      throw new GpuEnvError(`the GPU probe in ${options.image} exited with code ${String(outcome.StatusCode)}: ${lastLine(stderr) || lastLine(stdout) || 'no output'}`);
    }
    return { ...parseProbeOutput(stdout), elapsedMs: Date.now() - started };
  } catch (error) {
    if (error instanceof GpuEnvError) throw error;
    throw new GpuEnvError(`the GPU probe on the engine failed: ${messageOf(error)}`, 'failure', { cause: error });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function output(container: Docker.Container, stream: 'stdout' | 'stderr'): Promise<string> {
  const raw = await container.logs({ follow: false, stdout: stream === 'stdout', stderr: stream === 'stderr' }) as unknown as Buffer;
  return demuxText(raw).slice(0, MAX_OUTPUT_CHARS);
}


function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.slice(0, 300) ?? '';
}

/** The probe's two lines: the agent's sample, and the container id of each GPU process. */
export function parseProbeOutput(stdout: string): Pick<ProbeResult, 'devices' | 'owners'> {
  let devices: readonly GpuDevice[] | undefined;
  const owners = new Map<number, ProcessOwner>();
  for (const text of stdout.split('\n')) {
    if (text.trim() === '') continue;
    const line = parseAgentLine(text);
    if (line.ok && line.kind === 'sample') {
      const gpu = line.sample.gpu;
      if (!gpu.available) throw new GpuEnvError(`the GPU probe found no usable GPU: ${gpu.reason}${gpu.hint ? ` (${gpu.hint})` : ''}`);
      devices = gpu.devices;
      continue;
    }
    readOwners(text, owners);
  }
  if (devices === undefined) throw new GpuEnvError('the GPU probe printed no sample');
  return { devices, owners };
}

function readOwners(text: string, owners: Map<number, ProcessOwner>): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  if (typeof value !== 'object' || value === null || (value as { type?: unknown }).type !== 'owners') return;
  const pids = (value as { pids?: unknown }).pids;
  if (typeof pids !== 'object' || pids === null) return;
  for (const [key, entry] of Object.entries(pids).slice(0, 1024)) {
    const pid = /^\d{1,10}$/.test(key) ? Number(key) : NaN;
    const container = typeof entry === 'object' && entry !== null ? (entry as { container?: unknown }).container : undefined;
    if (!Number.isInteger(pid)) continue;
    owners.set(pid, { containerId: typeof container === 'string' && /^[0-9a-f]{64}$/.test(container) ? container : null });
  }
}
