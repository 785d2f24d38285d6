import { gpuSupportFromInfo } from '../../container/gpu-support';
import { isRecord, type EngineFacts, type JsonRecord } from '../engine-facts';
import { ok, warn, type Check } from '../check';

const INSTALL_TOOLKIT = 'If the engine host has an NVIDIA GPU, install the NVIDIA Container Toolkit there, register it with `sudo nvidia-ctk runtime configure --runtime=docker` and restart the engine (`sudo systemctl restart docker`); for CDI run `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`. Without a GPU there is nothing to fix: environments run CPU-only.';

/**
 * What `docker info` promises about GPUs. This is only the engine's side: Dev Containers trusts it
 * alone and users get false positives, so the in-container `nvidia-smi -L` check confirms it.
 */
export const gpuRuntimeCheck: Check<EngineFacts> = {
  id: 'gpu-runtime',
  title: 'NVIDIA runtime or CDI on the engine',
  timeoutMs: 20_000,
  fixWhenBroken: 'Run `docker info` against the same engine and look for an nvidia runtime or nvidia.com/gpu CDI devices.',
  async run(facts) {
    const info = await facts.info();
    const support = gpuSupportFromInfo(info);
    const runtimes = runtimeNames(info);
    const devices = cdiGpuDevices(info);
    const nvidia = runtimes.filter((name) => name.startsWith('nvidia'));
    if (support.nvidiaRuntime || support.cdi) {
      const found = [
        support.nvidiaRuntime ? `the runtime ${nvidia.join(', ')}` : '',
        support.cdi ? `the CDI devices ${devices.join(', ')}` : '',
      ].filter(Boolean).join(' and ');
      return ok(`\`docker info\` lists ${found}, so containers on this engine can be given GPUs.`);
    }
    const cdiNote = Array.isArray(info.DiscoveredDevices)
      ? 'no CDI GPU devices'
      : 'no CDI devices (this engine does not report CDI devices in `docker info`; Docker 28 and later do)';
    return warn(
      `\`docker info\` lists no NVIDIA runtime (runtimes: ${runtimes.join(', ') || 'none'}) and ${cdiNote}: containers on this engine cannot be given GPUs, so gpu-env starts environments CPU-only.`,
      INSTALL_TOOLKIT,
    );
  },
};

function runtimeNames(info: JsonRecord): string[] {
  return isRecord(info.Runtimes) ? Object.keys(info.Runtimes).sort() : [];
}

function cdiGpuDevices(info: JsonRecord): string[] {
  const discovered = info.DiscoveredDevices;
  if (!Array.isArray(discovered)) return [];
  return discovered
    .map((device: unknown) => (isRecord(device) && typeof device.ID === 'string' ? device.ID : ''))
    .filter((id) => id.startsWith('nvidia.com/gpu'));
}
