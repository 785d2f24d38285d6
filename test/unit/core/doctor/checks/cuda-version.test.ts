import { describe, expect, it } from 'vitest';
import { cudaFinding, type DriverCuda } from '../../../../../src/core/doctor/checks/cuda-version';
import { parseNvidiaSmiHeader } from '../../../../../src/core/doctor/parse/nvidia-smi';
import type { EnvironmentInfo } from '../../../../../src/core/lifecycle/environment-info';

const ENV: EnvironmentInfo = {
  name: 'doc1', container: 'gpu-env-doc1', id: 'abc', state: 'running', status: 'running', image: 'img', gpus: 'all',
  workspace: '/ws', engine: 'unix:///var/run/docker.sock', ssh: { host: '127.0.0.1', port: 1, user: 'dev', alias: 'gpu-env-doc1' },
};

function driver(banner: string): DriverCuda {
  const header = parseNvidiaSmiHeader(banner);
  if (!header?.cudaVersion) throw new Error('test banner has no CUDA version');
  return { known: true, header: { ...header, cudaVersion: header.cudaVersion } };
}

// Banners quoted from akash-network/provider-configs#12 (535 / CUDA 12.2),
// NVIDIA/nvidia-container-toolkit#1227 (570 / 12.8) and NVIDIA/nvidia-docker#1671 (510 / 11.6).
const DRIVER_122 = driver('| NVIDIA-SMI 535.129.03             Driver Version: 535.129.03   CUDA Version: 12.2     |');
const DRIVER_128 = driver('| NVIDIA-SMI 570.133.20             Driver Version: 570.133.20     CUDA Version: 12.8     |');
const DRIVER_116 = driver('| NVIDIA-SMI 510.68.02    Driver Version: 510.68.02    CUDA Version: 11.6     |');

describe('cudaFinding', () => {
  it('says a CPU build is CPU-only, "None", and names a CUDA image', () => {
    const finding = cudaFinding(ENV, { version: '2.6.0+debian', cuda: null }, { known: false, reason: 'nvidia-smi is not in the container' });
    expect(finding.status).toBe('warn');
    expect(finding.detail).toContain('CPU-only build (torch.version.cuda is None)');
    expect(finding.detail).toContain('nvidia-smi is not in the container');
    expect(finding.fix).toContain('--base-image pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime');
    expect(finding.fix).toContain('add the other options');
  });

  it('is ok when the driver supports the build', () => {
    const finding = cudaFinding(ENV, { version: '2.6.0+cu124', cuda: { major: 12, minor: 4 } }, DRIVER_128);
    expect(finding.status).toBe('ok');
    expect(finding.detail).toContain('driver 570.133.20 supports CUDA up to 12.8');
  });

  it('warns on an older minor version and suggests an image the driver fully supports', () => {
    const finding = cudaFinding(ENV, { version: '2.6.0+cu124', cuda: { major: 12, minor: 4 } }, DRIVER_122);
    expect(finding.status).toBe('warn');
    expect(finding.fix).toContain('pytorch/pytorch:2.6.0-cuda11.8-cudnn9-runtime');
  });

  it('fails on an older major version', () => {
    const finding = cudaFinding(ENV, { version: '2.6.0+cu124', cuda: { major: 12, minor: 4 } }, DRIVER_116);
    expect(finding.status).toBe('fail');
    expect(finding.detail).toContain('torch.cuda.is_available() is False');
    expect(finding.fix).toBe("Update the host's NVIDIA driver to one that supports CUDA 12.4.");
  });

  it('skips the comparison while the driver version is unknown', () => {
    const finding = cudaFinding(ENV, { version: '2.6.0+cu124', cuda: { major: 12, minor: 4 } }, { known: false, reason: 'nvidia-smi failed' });
    expect(finding.status).toBe('skip');
    expect(finding.detail).toContain('built for CUDA 12.4');
  });
});
