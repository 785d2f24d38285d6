import type { EnvironmentInfo } from '../../lifecycle/environment-info';
import type { ContainerProbe, ContainerTarget } from '../container-probe';
import { recreateCommands } from '../format';
import { excerpt, formatCuda, parseNvidiaSmiHeader, type NvidiaSmiHeader } from '../parse/nvidia-smi';
import { cudaFit, newestImageFor, parseTorchProbe, TORCH_PROBE, type TorchBuild } from '../parse/torch';
import { fail, ok, skip, warn, type Check, type CheckResult } from '../check';

/** Importing torch reads ~1 GB of libraries; a cold page cache on a busy host makes that slow. */
export const TORCH_IMPORT_TIMEOUT_MS = 60_000;
const DEFAULT_CUDA_IMAGE = 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime';

/** The driver's side: the CUDA version it supports, or why that is unknown. */
export type DriverCuda =
  | { readonly known: true; readonly header: NvidiaSmiHeader & { readonly cudaVersion: NonNullable<NvidiaSmiHeader['cudaVersion']> } }
  | { readonly known: false; readonly reason: string };

export const cudaVersionCheck: Check<ContainerTarget> = {
  id: 'cuda',
  title: 'Driver CUDA version vs PyTorch build',
  timeoutMs: 100_000,
  fixWhenBroken: 'Run `python3 -c "import torch; print(torch.version.cuda)"` and `nvidia-smi` in the environment to compare by hand.',
  async run({ info, probe }) {
    const result = await probe.run(TORCH_PROBE, TORCH_IMPORT_TIMEOUT_MS);
    if (result.code !== 0) {
      const missingPython = result.code === 127;
      return fail(
        missingPython ? 'python3 is not in the container.' : `PyTorch cannot be imported with python3 (exit ${result.code ?? 'none'}): ${excerpt(lastLines(result.stderr))}`,
        `Build the environment on a PyTorch image: ${recreateCommands(info, `--base-image ${DEFAULT_CUDA_IMAGE}`)}.`,
      );
    }
    const torch = parseTorchProbe(result.stdout);
    if (!torch) return fail(`The PyTorch probe printed something unexpected: ${excerpt(result.stdout)}`, 'Run `python3 -c "import torch; print(torch.__version__, torch.version.cuda)"` in the environment to see what is installed.');
    return cudaFinding(info, torch, await driverCuda(probe));
  },
};

async function driverCuda(probe: ContainerProbe): Promise<DriverCuda> {
  if (!(await probe.which('nvidia-smi'))) return { known: false, reason: 'nvidia-smi is not in the container (see the nvidia-smi check)' };
  const result = await probe.run('nvidia-smi 2>&1');
  const header = parseNvidiaSmiHeader(result.stdout);
  if (header?.cudaVersion) return { known: true, header: { ...header, cudaVersion: header.cudaVersion } };
  return { known: false, reason: `nvidia-smi printed no CUDA version (exit ${result.code ?? 'none'}): ${excerpt(result.stdout)}` };
}

export function cudaFinding(info: EnvironmentInfo, torch: TorchBuild, driver: DriverCuda): CheckResult {
  const driverText = driver.known
    ? `The driver${driver.header.driverVersion ? ` ${driver.header.driverVersion}` : ''} supports CUDA up to ${formatCuda(driver.header.cudaVersion)}.`
    : `The driver's CUDA version is unknown: ${driver.reason}.`;
  const image = (driver.known ? newestImageFor(driver.header.cudaVersion) : undefined) ?? DEFAULT_CUDA_IMAGE;
  if (torch.cuda === null) {
    return warn(
      `PyTorch ${torch.version} is a CPU-only build (torch.version.cuda is None): it cannot use a GPU even where the container has one. ${driverText}`,
      `Build the environment from a CUDA build of PyTorch: ${recreateCommands(info, `--base-image ${image}`)}.`,
    );
  }
  const built = `PyTorch ${torch.version} is built for CUDA ${formatCuda(torch.cuda)}.`;
  if (!driver.known) return skip(`${built} ${driverText}`, 'Make nvidia-smi work in the container first (see the nvidia-smi check); then this check compares the two versions.');
  switch (cudaFit(driver.header.cudaVersion, torch.cuda)) {
    case 'supported':
      return ok(`${built} ${driverText} The driver runs it.`);
    case 'older-minor':
      return warn(
        `${built} ${driverText} CUDA's minor version compatibility lets most work run on this older driver, but code the driver must compile from PTX at run time can fail.`,
        `Update the host's NVIDIA driver to one that supports CUDA ${formatCuda(torch.cuda)}, or build on an image the driver fully supports: ${recreateCommands(info, `--base-image ${image}`)}.`,
      );
    case 'older-major':
      return fail(
        `${built} ${driverText} The driver is too old for it: torch.cuda.is_available() is False ("The NVIDIA driver on your system is too old").`,
        newestImageFor(driver.header.cudaVersion)
          ? `Update the host's NVIDIA driver, or build on an image this driver supports: ${recreateCommands(info, `--base-image ${image}`)}.`
          : `Update the host's NVIDIA driver to one that supports CUDA ${formatCuda(torch.cuda)}.`,
      );
  }
}

function lastLines(text: string): string {
  return text.trim().split(/\r?\n/).slice(-2).join('\n');
}
