import type { EnvironmentInfo } from '../../lifecycle/environment-info';
import type { ContainerTarget } from '../container-probe';
import { recreateCommands, plural } from '../format';
import { parseNvidiaSmiList, type ListedGpu, type NvidiaSmiList } from '../parse/nvidia-smi';
import { fail, ok, warn, type Check, type CheckResult } from '../check';

export const NVIDIA_SMI_LIST = 'nvidia-smi -L 2>&1';

/** The decisive GPU check: what the container itself sees, not what the engine promises. */
export const nvidiaSmiCheck: Check<ContainerTarget> = {
  id: 'nvidia-smi',
  title: 'GPUs visible in the container (nvidia-smi -L)',
  timeoutMs: 45_000,
  fixWhenBroken: 'Run `nvidia-smi -L` in the environment (`gpu-env exec NAME -- nvidia-smi -L`); a hang there points at the host driver: check `nvidia-smi` on the engine host.',
  async run({ info, probe }) {
    const path = await probe.which('nvidia-smi');
    if (!path) return missingNvidiaSmi(info);
    const result = await probe.run(NVIDIA_SMI_LIST);
    return nvidiaSmiFinding(info, parseNvidiaSmiList(result.stdout, result.code));
  },
};

function missingNvidiaSmi(info: EnvironmentInfo): CheckResult {
  const why = 'nvidia-smi is not in the container. The NVIDIA Container Toolkit mounts it, with the driver libraries, only into containers that are given GPUs';
  if (info.gpus === 'none') {
    return warn(
      `${why}, and this environment was created without GPUs (GPUs: none), so it runs CPU-only.`,
      `If the engine host has an NVIDIA GPU, make the engine offer it (see the NVIDIA runtime check), then recreate the environment with GPUs: ${recreateCommands(info, '--gpus all')}.`,
    );
  }
  return fail(
    `${why}; this environment asked for GPUs (${info.gpus}) but did not get the driver utilities, so the runtime did not inject them.`,
    `Check \`docker info\` on the engine lists the nvidia runtime or CDI devices, then recreate the environment: ${recreateCommands(info)}.`,
  );
}

export function nvidiaSmiFinding(info: EnvironmentInfo, list: NvidiaSmiList): CheckResult {
  switch (list.kind) {
    case 'gpus':
      return ok(`${plural(list.gpus.length, 'GPU')}: ${list.gpus.map(describeGpu).join('; ')}.`);
    case 'nvml-unknown-error':
      return fail(
        'nvidia-smi says "Failed to initialize NVML: Unknown Error": the container has lost access to its GPU devices. This happens to running containers when systemd on the host reloads (e.g. `systemctl daemon-reload`) with the systemd cgroup driver (NVIDIA/nvidia-container-toolkit#48).',
        `Recreate the container (restarting it is not enough): ${recreateCommands(info)}.`,
      );
    case 'driver-mismatch':
      return fail(
        'nvidia-smi says "Failed to initialize NVML: Driver/library version mismatch": the host\'s loaded NVIDIA kernel module and its driver libraries are different versions, usually after a driver upgrade without a reboot.',
        `Reboot the engine host (or reload the nvidia kernel modules), check \`nvidia-smi\` there, then recreate the environment: ${recreateCommands(info)}.`,
      );
    case 'no-driver':
      return fail(
        'nvidia-smi could not communicate with the NVIDIA driver: no NVIDIA kernel driver is loaded on the engine host.',
        'On the engine host, install or load the NVIDIA driver until `nvidia-smi` works there (check `dmesg` for NVRM errors), then recreate the environment.',
      );
    case 'no-devices':
      return fail(
        'nvidia-smi runs but lists no GPUs ("No devices were found"): the container was given no GPU, or the driver could not initialise the GPU.',
        `Run \`nvidia-smi -L\` on the engine host. If it lists GPUs there, recreate the environment with them: ${recreateCommands(info, '--gpus all')}; if not, the host driver is at fault (check \`dmesg\` for NVRM errors).`,
      );
    case 'nvml-error':
      return fail(
        `nvidia-smi says "Failed to initialize NVML: ${list.message}".`,
        `Check \`nvidia-smi\` on the engine host; if it works there, recreate the environment: ${recreateCommands(info)}.`,
      );
    case 'unrecognized':
      return fail(
        `nvidia-smi -L exited with ${list.exitCode ?? 'no status'} and printed no GPU list: ${list.excerpt}`,
        'Run `nvidia-smi` on the engine host and in the environment to compare; recreate the environment if the host works.',
      );
  }
}

function describeGpu(gpu: ListedGpu): string {
  const mig = gpu.mig.length > 0 ? ` with ${plural(gpu.mig.length, 'MIG device')} (${[...new Set(gpu.mig.map((m) => m.profile))].join(', ')})` : '';
  return `GPU ${gpu.index} ${gpu.name}${gpu.uuid ? ` (${gpu.uuid})` : ''}${mig}`;
}
