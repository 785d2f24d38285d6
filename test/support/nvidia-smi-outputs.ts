/**
 * Outputs of `nvidia-smi` (`-L` and the banner), each quoted from the public issue thread named above it
 * (found with the search tool), except where it says it was captured from the stand-in image.
 */

// akash-network/provider-configs#12: `nvidia-smi -L` on a host with two Quadro RTX 4000.
export const TWO_QUADROS = `GPU 0: Quadro RTX 4000 (UUID: GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43)
GPU 1: Quadro RTX 4000 (UUID: GPU-d6de6afc-bdfe-75c4-5273-0544439153fc)
`;

// influxdata/telegraf#5812: `nvidia-smi -L` with MIG enabled on the first of four A100s.
export const A100_MIG = `GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-513536b6-7d19-9063-b049-1e69664bb298)
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
export const NVML_UNKNOWN = 'Failed to initialize NVML: Unknown Error\n';

// lyulyul/shine-cluster#30, after an unattended driver upgrade.
export const DRIVER_MISMATCH = 'Failed to initialize NVML: Driver/library version mismatch\n';
// tinygrad/open-gpu-kernel-modules#47: newer drivers add the library version on a second line.
export const DRIVER_MISMATCH_NEWER = 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.124\n';

// ci-for-research/self-hosted-runners#40: no kernel driver loaded.
export const NO_DRIVER = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";
// qixuema/envs#4: the same message as pasted with a typographic apostrophe, on two lines.
export const NO_DRIVER_TYPOGRAPHIC = 'NVIDIA-SMI has failed because it couldn‘t communicate with the NVIDIA driver.\nMake sure that the latest NVIDIA driver is installed and running.\n';

// NVIDIA/open-gpu-kernel-modules#862: the driver loads but brings up no GPU.
export const NO_DEVICES = 'No devices were found\n';

// Captured from gpu-env-test/trixie-torch (no NVIDIA toolkit): what a shell says without nvidia-smi.
export const NOT_INSTALLED = 'sh: 1: nvidia-smi: not found\n';

// Banners of plain `nvidia-smi`:
// akash-network/provider-configs#12 (the 2023+ layout)
export const BANNER_535 = `Thu Feb 29 14:58:21 2024
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.129.03             Driver Version: 535.129.03   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |`;
// NVIDIA/nvidia-docker#1671 (the older layout)
export const BANNER_510 = `Fri Sep  2 21:54:31 2022
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 510.68.02    Driver Version: 510.68.02    CUDA Version: 11.6     |
|-------------------------------+----------------------+----------------------+`;
// NVIDIA/nvidia-container-toolkit#1227
export const BANNER_570 = '| NVIDIA-SMI 570.133.20             Driver Version: 570.133.20     CUDA Version: 12.8     |';
// NVIDIA/nvidia-docker#341: drivers before CUDA 8 printed no CUDA version.
export const BANNER_367 = '| NVIDIA-SMI 367.57                 Driver Version: 367.57                    |';
