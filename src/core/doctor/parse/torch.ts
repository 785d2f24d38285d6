import { parseCudaVersion, type CudaVersion } from './nvidia-smi';

/** Prints the PyTorch version, then the CUDA version it was built for (`None` for CPU builds). */
export const TORCH_PROBE = `python3 -c 'import torch; print(torch.__version__); print(torch.version.cuda)'`;

export interface TorchBuild {
  readonly version: string;
  /** null: a CPU-only build (torch.version.cuda is None). */
  readonly cuda: CudaVersion | null;
}

export function parseTorchProbe(stdout: string): TorchBuild | undefined {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length !== 2) return undefined;
  const [version, cudaText] = lines as [string, string];
  if (!/^\d+\.\d+/.test(version)) return undefined;
  if (cudaText === 'None') return { version, cuda: null };
  const cuda = parseCudaVersion(cudaText);
  return cuda ? { version, cuda } : undefined;
}

/**
 * Whether a driver runs code built for a CUDA version. Within one major version CUDA promises minor
 * version compatibility (most work runs, PTX JIT does not); across majors nothing runs.
 */
export type CudaFit = 'supported' | 'older-minor' | 'older-major';

export function cudaFit(driver: CudaVersion, built: CudaVersion): CudaFit {
  if (driver.major > built.major || (driver.major === built.major && driver.minor >= built.minor)) return 'supported';
  return driver.major === built.major ? 'older-minor' : 'older-major';
}

/** The CUDA flavours of the pytorch/pytorch:2.6.0 images, oldest first. */
export const PYTORCH_26_CUDA_TAGS: readonly CudaVersion[] = [
  { major: 11, minor: 8 },
  { major: 12, minor: 4 },
  { major: 12, minor: 6 },
];

/** The newest PyTorch 2.6 image a driver fully supports, if any. */
export function newestImageFor(driver: CudaVersion): string | undefined {
  const fitting = PYTORCH_26_CUDA_TAGS.filter((tag) => cudaFit(driver, tag) === 'supported');
  const best = fitting[fitting.length - 1];
  return best ? `pytorch/pytorch:2.6.0-cuda${best.major}.${best.minor}-cudnn9-runtime` : undefined;
}
