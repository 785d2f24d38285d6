import { describe, expect, it } from 'vitest';
import { nvidiaSmiFinding } from '../../src/core/doctor/checks/nvidia-smi';
import { parseNvidiaSmiHeader, parseNvidiaSmiList } from '../../src/core/doctor/parse/nvidia-smi';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';

// Every output below is quoted from a public issue thread, named above it (found with the search
// tool), except where it says it was captured from the stand-in image.

// akash-network/provider-configs#12: `nvidia-smi -L` on a host with two Quadro RTX 4000.
const TWO_QUADROS = `GPU 0: Quadro RTX 4000 (UUID: GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43)
GPU 1: Quadro RTX 4000 (UUID: GPU-d6de6afc-bdfe-75c4-5273-0544439153fc)
`;

// influxdata/telegraf#5812: `nvidia-smi -L` with MIG enabled on the first of four A100s.
const A100_MIG = `GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-513536b6-7d19-9063-b049-1e69664bb298)
  MIG 1g.20gb     Device  0: (UUID: MIG-ce861fb0-a248-58ce-a9a8-f9adbc22a66a)
  MIG 1g.20gb     Device  1: (UUID: MIG-a45882f0-9215-5733-a0c1-49286ab31cb5)
  MIG 1g.20gb     Device  2: (UUID: MIG-f00d722c-f4e1-52c9-aa31-750441ae1bfe)
  MIG 1g.20gb     Device  3: (UUID: MIG-930574a9-d43a-5d2b-95da-3e68384c8d6b)
GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-d8594bd4-0fc3-8595-e355-7c98138f3b95)
GPU 2: NVIDIA A100-SXM4-80GB (UUID: GPU-5e375e7e-b41f-155b-dcdc-534524c356fc)
GPU 3: NVIDIA A100-SXM4-80GB (UUID: GPU-69ec2344-ebac-b028-f88f-452abb3d7f11)
`;

// NVIDIA/nvidia-container-toolkit#1227: `nvidia-smi -L` in a running container after
// `systemctl daemon-reload` on the host (the case NVIDIA/nvidia-container-toolkit#48 describes).
const NVML_UNKNOWN = 'Failed to initialize NVML: Unknown Error\n';

// lyulyul/shine-cluster#30, after an unattended driver upgrade.
const DRIVER_MISMATCH = 'Failed to initialize NVML: Driver/library version mismatch\n';
// tinygrad/open-gpu-kernel-modules#47: newer drivers add the library version on a second line.
const DRIVER_MISMATCH_NEWER = 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.124\n';

// ci-for-research/self-hosted-runners#40: no kernel driver loaded.
const NO_DRIVER = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";
// qixuema/envs#4: the same message as pasted with a typographic apostrophe, on two lines.
const NO_DRIVER_TYPOGRAPHIC = 'NVIDIA-SMI has failed because it couldn‘t communicate with the NVIDIA driver.\nMake sure that the latest NVIDIA driver is installed and running.\n';

// NVIDIA/open-gpu-kernel-modules#862: the driver loads but brings up no GPU.
const NO_DEVICES = 'No devices were found\n';

// Captured from gpu-env-test/trixie-torch (no NVIDIA toolkit): what a shell says without nvidia-smi.
const NOT_INSTALLED = 'sh: 1: nvidia-smi: not found\n';

// Banners of plain `nvidia-smi`:
// akash-network/provider-configs#12 (the 2023+ layout)
const BANNER_535 = `Thu Feb 29 14:58:21 2024
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.129.03             Driver Version: 535.129.03   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |`;
// NVIDIA/nvidia-docker#1671 (the older layout)
const BANNER_510 = `Fri Sep  2 21:54:31 2022
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 510.68.02    Driver Version: 510.68.02    CUDA Version: 11.6     |
|-------------------------------+----------------------+----------------------+`;
// NVIDIA/nvidia-container-toolkit#1227
const BANNER_570 = '| NVIDIA-SMI 570.133.20             Driver Version: 570.133.20     CUDA Version: 12.8     |';
// NVIDIA/nvidia-docker#341: drivers before CUDA 8 printed no CUDA version.
const BANNER_367 = '| NVIDIA-SMI 367.57                 Driver Version: 367.57                    |';

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

describe('parseNvidiaSmiList', () => {
  it('lists GPUs with names and UUIDs', () => {
    expect(parseNvidiaSmiList(TWO_QUADROS, 0)).toEqual({
      kind: 'gpus',
      gpus: [
        { index: 0, name: 'Quadro RTX 4000', uuid: 'GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43', mig: [] },
        { index: 1, name: 'Quadro RTX 4000', uuid: 'GPU-d6de6afc-bdfe-75c4-5273-0544439153fc', mig: [] },
      ],
    });
  });

  it('attaches MIG devices to the GPU above them', () => {
    const list = parseNvidiaSmiList(A100_MIG, 0);
    if (list.kind !== 'gpus') throw new Error(`expected gpus, got ${list.kind}`);
    expect(list.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(list.gpus[0]!.mig).toHaveLength(4);
    expect(list.gpus[0]!.mig[3]).toEqual({ profile: '1g.20gb', device: 3, uuid: 'MIG-930574a9-d43a-5d2b-95da-3e68384c8d6b' });
    expect(list.gpus[1]!.mig).toEqual([]);
  });

  it.each([
    ['NVML Unknown Error (toolkit#48)', NVML_UNKNOWN, 255, 'nvml-unknown-error'],
    ['driver/library mismatch', DRIVER_MISMATCH, 18, 'driver-mismatch'],
    ['driver/library mismatch, newer wording', DRIVER_MISMATCH_NEWER, 18, 'driver-mismatch'],
    ['no driver', NO_DRIVER, 9, 'no-driver'],
    ['no driver, typographic apostrophe', NO_DRIVER_TYPOGRAPHIC, 9, 'no-driver'],
    ['no devices', NO_DEVICES, 6, 'no-devices'],
  ])('recognises %s', (_label, output, code, kind) => {
    expect(parseNvidiaSmiList(output, code).kind).toBe(kind);
  });

  it('keeps the message of other NVML failures', () => {
    expect(parseNvidiaSmiList('Failed to initialize NVML: Insufficient Permissions\n', 4)).toEqual({ kind: 'nvml-error', message: 'Insufficient Permissions' });
  });

  it('does not mistake a failed run for a GPU list, and quotes what it got', () => {
    expect(parseNvidiaSmiList(NOT_INSTALLED, 127)).toEqual({ kind: 'unrecognized', excerpt: 'sh: 1: nvidia-smi: not found', exitCode: 127 });
    expect(parseNvidiaSmiList(TWO_QUADROS, 1).kind).toBe('unrecognized');
    expect(parseNvidiaSmiList('', 0)).toEqual({ kind: 'unrecognized', excerpt: '(no output)', exitCode: 0 });
  });
});

describe('parseNvidiaSmiHeader', () => {
  it.each([
    ['535 layout', BANNER_535, '535.129.03', { major: 12, minor: 2 }],
    ['510 layout', BANNER_510, '510.68.02', { major: 11, minor: 6 }],
    ['570', BANNER_570, '570.133.20', { major: 12, minor: 8 }],
  ])('reads driver and CUDA version from the %s banner', (_label, banner, driver, cuda) => {
    expect(parseNvidiaSmiHeader(banner)).toEqual({ driverVersion: driver, cudaVersion: cuda });
  });

  it('reads the driver alone from banners that predate the CUDA field', () => {
    expect(parseNvidiaSmiHeader(BANNER_367)).toEqual({ driverVersion: '367.57' });
  });

  it('finds nothing in an error', () => {
    expect(parseNvidiaSmiHeader(NVML_UNKNOWN)).toBeUndefined();
  });
});

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
