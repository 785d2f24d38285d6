import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../../support/container-probe-session';
import { runCheck } from '../../../../../src/core/doctor/check';
import { nvidiaSmiCheck, nvidiaSmiFinding } from '../../../../../src/core/doctor/checks/nvidia-smi';
import { parseNvidiaSmiList } from '../../../../../src/core/doctor/parse/nvidia-smi';
import type { EnvironmentInfo } from '../../../../../src/core/lifecycle/environment-info';
import { A100_MIG, DRIVER_MISMATCH, NO_DEVICES, NO_DRIVER, NVML_UNKNOWN } from '../../../../support/nvidia-smi-outputs';

const signal = new AbortController().signal;

describe('nvidia-smi check', () => {
  it('explains a missing nvidia-smi in a CPU-only environment as a warning', async () => {
    const result = await nvidiaSmiCheck.run(probeTarget({}, 'none'), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('nvidia-smi is not in the container');
    expect(result.detail).toContain('created without GPUs');
    expect(result.fix).toContain('--gpus all');
  });

  it('fails when GPUs were asked for and nvidia-smi is still missing', async () => {
    expect((await nvidiaSmiCheck.run(probeTarget({}, 'all'), signal)).status).toBe('fail');
  });

  it('runs nvidia-smi -L when it is there', async () => {
    const t = probeTarget({
      'command -v nvidia-smi': { code: 0, stdout: '/usr/bin/nvidia-smi\n' },
      // NVIDIA/nvidia-container-toolkit#1227
      'nvidia-smi -L 2>&1': { code: 255, stdout: 'Failed to initialize NVML: Unknown Error\n' },
    }, 'all');
    const { check } = await runCheck(nvidiaSmiCheck, t, undefined, 'doc1');
    expect(check).toMatchObject({ id: 'nvidia-smi', status: 'fail', environment: 'doc1' });
    expect(check.fix).toContain('`gpu-env rm doc1`');
  });
});

const ENV: EnvironmentInfo = {
  name: 'doc1',
  container: 'gpu-env-doc1',
  id: 'abc',
  state: 'running',
  status: 'running',
  image: 'gpu-env/pytorch-cuda:x',
  gpus: 'all',
  workspace: '/home/ana/my project',
  engine: 'unix:///var/run/docker.sock',
  ssh: { host: '127.0.0.1', port: 32768, user: 'dev', alias: 'gpu-env-doc1' },
};

describe('nvidiaSmiFinding', () => {
  it('is ok with GPUs and names them', () => {
    const finding = nvidiaSmiFinding(ENV, parseNvidiaSmiList(A100_MIG, 0));
    expect(finding.status).toBe('ok');
    expect(finding.detail).toContain('4 GPUs');
    expect(finding.detail).toContain('GPU 0 NVIDIA A100-SXM4-80GB (GPU-513536b6-7d19-9063-b049-1e69664bb298) with 4 MIG devices (1g.20gb)');
    expect(finding.fix).toBeUndefined();
  });

  it('tells to recreate the container after NVML Unknown Error, citing the toolkit issue', () => {
    const finding = nvidiaSmiFinding(ENV, parseNvidiaSmiList(NVML_UNKNOWN, 255));
    expect(finding.status).toBe('fail');
    expect(finding.detail).toContain('NVIDIA/nvidia-container-toolkit#48');
    expect(finding.fix).toContain("`gpu-env rm doc1` then `gpu-env up --name doc1 --workspace '/home/ana/my project'`");
    expect(finding.fix).toContain('restarting it is not enough');
  });

  it('sends a driver mismatch to the host, not to the container', () => {
    const finding = nvidiaSmiFinding(ENV, parseNvidiaSmiList(DRIVER_MISMATCH, 18));
    expect(finding.status).toBe('fail');
    expect(finding.fix).toMatch(/^Reboot the engine host/);
  });

  it('tells "no GPUs" apart from "no driver"', () => {
    const none = nvidiaSmiFinding(ENV, parseNvidiaSmiList(NO_DEVICES, 6));
    const noDriver = nvidiaSmiFinding(ENV, parseNvidiaSmiList(NO_DRIVER, 9));
    expect(none.detail).toContain('lists no GPUs');
    expect(none.fix).toContain('--gpus all');
    expect(noDriver.detail).toContain('no NVIDIA kernel driver is loaded');
    expect(noDriver.fix).toContain('install or load the NVIDIA driver');
  });
});
