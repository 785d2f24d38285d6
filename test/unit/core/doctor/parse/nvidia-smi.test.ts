import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiHeader, parseNvidiaSmiList } from '../../../../../src/core/doctor/parse/nvidia-smi';
import {
  TWO_QUADROS, A100_MIG, NVML_UNKNOWN, DRIVER_MISMATCH, DRIVER_MISMATCH_NEWER, NO_DRIVER, NO_DRIVER_TYPOGRAPHIC, NO_DEVICES, NOT_INSTALLED, BANNER_535, BANNER_510, BANNER_570, BANNER_367,
} from '../../../../support/nvidia-smi-outputs';

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
