/**
 * Pure readers of `nvidia-smi` output. The texts they recognise are the ones users report in issue
 * threads (quoted in test/support/nvidia-smi-outputs.ts with their sources).
 */

export interface MigDevice {
  /** e.g. `1g.10gb` */
  readonly profile: string;
  readonly device: number;
  readonly uuid: string;
}

export interface ListedGpu {
  readonly index: number;
  readonly name: string;
  /** Very old drivers print no UUID. */
  readonly uuid?: string;
  readonly mig: readonly MigDevice[];
}

export type NvidiaSmiList =
  | { readonly kind: 'gpus'; readonly gpus: readonly ListedGpu[] }
  | { readonly kind: 'no-devices' }
  /** The container lost its device access (NVIDIA/nvidia-container-toolkit#48). */
  | { readonly kind: 'nvml-unknown-error' }
  /** Kernel module and user-space driver libraries of different versions on the host. */
  | { readonly kind: 'driver-mismatch' }
  | { readonly kind: 'no-driver' }
  | { readonly kind: 'nvml-error'; readonly message: string }
  | { readonly kind: 'unrecognized'; readonly excerpt: string; readonly exitCode: number | null };

const GPU_LINE = /^GPU (\d+): (.+?)(?: \(UUID: ([^)\s]+)\))?\s*$/;
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)\s]+)\)\s*$/;
const NVML_ERROR = /Failed to initialize NVML: ([^\r\n]*)/i;

/** Classifies the output of `nvidia-smi -L` (stdout and stderr together) and its exit code. */
export function parseNvidiaSmiList(output: string, exitCode: number | null): NvidiaSmiList {
  const nvml = NVML_ERROR.exec(output);
  if (nvml) {
    const message = nvml[1]!.trim();
    if (/^unknown error$/i.test(message)) return { kind: 'nvml-unknown-error' };
    if (/driver\/library version mismatch/i.test(message)) return { kind: 'driver-mismatch' };
    return { kind: 'nvml-error', message };
  }
  // Some pastes carry a typographic apostrophe (couldn‘t), hence the wildcard.
  if (/couldn.t communicate with the NVIDIA driver/i.test(output)) return { kind: 'no-driver' };
  if (/No devices were found/i.test(output)) return { kind: 'no-devices' };
  const gpus = listedGpus(output);
  if (gpus.length > 0 && exitCode === 0) return { kind: 'gpus', gpus };
  return { kind: 'unrecognized', excerpt: excerpt(output), exitCode };
}

function listedGpus(output: string): ListedGpu[] {
  const gpus: { index: number; name: string; uuid?: string; mig: MigDevice[] }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2]!.trim(), ...(gpu[3] ? { uuid: gpu[3] } : {}), mig: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    const parent = gpus[gpus.length - 1];
    if (mig && parent) parent.mig.push({ profile: mig[1]!, device: Number(mig[2]), uuid: mig[3]! });
  }
  return gpus;
}

export interface CudaVersion {
  readonly major: number;
  readonly minor: number;
}

export interface NvidiaSmiHeader {
  readonly driverVersion?: string;
  /** The newest CUDA version the driver supports; drivers before CUDA 8 did not print it. */
  readonly cudaVersion?: CudaVersion;
}

/** Reads `Driver Version: 535.129.03   CUDA Version: 12.2` from the banner of plain `nvidia-smi`. */
export function parseNvidiaSmiHeader(output: string): NvidiaSmiHeader | undefined {
  const driver = /Driver Version:\s*(\d+(?:\.\d+)+)/.exec(output);
  const cuda = /CUDA Version:\s*(\d+\.\d+)/.exec(output);
  const cudaVersion = cuda ? parseCudaVersion(cuda[1]!) : undefined;
  if (!driver && !cudaVersion) return undefined;
  return { ...(driver ? { driverVersion: driver[1]! } : {}), ...(cudaVersion ? { cudaVersion } : {}) };
}

/** `12.4` → {12, 4}; anything else → undefined. */
export function parseCudaVersion(text: string): CudaVersion | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function formatCuda(version: CudaVersion): string {
  return `${version.major}.${version.minor}`;
}

/** The first lines of an unexpected output, short enough to quote in a report. */
export function excerpt(output: string, maxLines = 3, maxChars = 300): string {
  const lines = output.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(0, maxLines);
  const text = lines.join(' / ');
  if (text === '') return '(no output)';
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
