import { describe, expect, it } from 'vitest';
import { cudaFit, newestImageFor, parseTorchProbe } from '../../../../../src/core/doctor/parse/torch';

describe('parseTorchProbe', () => {
  it('reads a CPU build as cuda null (captured from gpu-env-test/trixie-torch)', () => {
    expect(parseTorchProbe('2.6.0+debian\nNone\n')).toEqual({ version: '2.6.0+debian', cuda: null });
  });

  it('reads a CUDA build', () => {
    expect(parseTorchProbe('2.6.0+cu124\n12.4\n')).toEqual({ version: '2.6.0+cu124', cuda: { major: 12, minor: 4 } });
  });

  it.each([[''], ['2.6.0\n'], ['2.6.0\n12.4\nextra\n'], ['oops\n12.4\n'], ['2.6.0\ncuda\n']])('refuses %j', (output) => {
    expect(parseTorchProbe(output)).toBeUndefined();
  });
});

describe('cudaFit and newestImageFor', () => {
  it('orders versions by major, then minor', () => {
    expect(cudaFit({ major: 12, minor: 8 }, { major: 12, minor: 4 })).toBe('supported');
    expect(cudaFit({ major: 12, minor: 4 }, { major: 12, minor: 4 })).toBe('supported');
    expect(cudaFit({ major: 13, minor: 0 }, { major: 12, minor: 6 })).toBe('supported');
    expect(cudaFit({ major: 12, minor: 2 }, { major: 12, minor: 4 })).toBe('older-minor');
    expect(cudaFit({ major: 11, minor: 8 }, { major: 12, minor: 0 })).toBe('older-major');
  });

  it('picks the newest PyTorch 2.6 image the driver fully supports', () => {
    expect(newestImageFor({ major: 12, minor: 8 })).toBe('pytorch/pytorch:2.6.0-cuda12.6-cudnn9-runtime');
    expect(newestImageFor({ major: 12, minor: 2 })).toBe('pytorch/pytorch:2.6.0-cuda11.8-cudnn9-runtime');
    expect(newestImageFor({ major: 11, minor: 6 })).toBeUndefined();
  });
});
