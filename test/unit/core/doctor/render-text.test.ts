import { describe, expect, it } from 'vitest';
import { renderDoctorText } from '../../../../src/core/doctor';
import type { DoctorCheck } from '../../../../src/core/doctor';
import { report, ENGINE_OK, RUNTIME_WARN, NVML_FAIL } from '../../../support/doctor-report-samples';

describe('renderDoctorText', () => {
  it('marks each check ✓ ! ✗ - and prints fix lines under it', () => {
    const skipped: DoctorCheck = { id: 'compiler', title: 'C/C++ compiler for torch.compile', status: 'skip', environment: 'doc1', detail: 'Not checked.', fix: 'Fix SSH first.', durationMs: 0 };
    expect(renderDoctorText(report([ENGINE_OK, RUNTIME_WARN, NVML_FAIL, skipped]))).toBe([
      'gpu-env doctor: engine unix:///var/run/docker.sock (from default)',
      '',
      'Engine',
      '  ✓ Docker engine reachable',
      '      Docker 27.0 answers.',
      '  ! NVIDIA runtime or CDI on the engine',
      '      `docker info` lists no NVIDIA runtime.',
      '      fix: Install the NVIDIA Container Toolkit.',
      '',
      'Environment doc1',
      '  ✗ GPUs visible in the container (nvidia-smi -L)',
      '      nvidia-smi says "Failed to initialize NVML: Unknown Error" (NVIDIA/nvidia-container-toolkit#48).',
      '      fix: Recreate: `gpu-env rm doc1` then `gpu-env up --name doc1`.',
      '  - C/C++ compiler for torch.compile',
      '      Not checked.',
      '      fix: Fix SSH first.',
      '',
      '1 failed, 1 warning, 1 ok, 1 skipped (2.4 s)',
      '',
    ].join('\n'));
  });
});
