import type { DoctorCheck, DoctorReport } from '../../src/core/doctor';
import { summarize } from '../../src/core/doctor/run-doctor';

export function report(checks: DoctorCheck[]): DoctorReport {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 2400,
    engine: { url: 'unix:///var/run/docker.sock', source: 'default', description: 'unix:///var/run/docker.sock (from default)' },
    environments: ['doc1'],
    checks,
    summary: summarize(checks),
    ok: checks.every((c) => c.status !== 'fail'),
  };
}

export const ENGINE_OK: DoctorCheck = { id: 'engine', title: 'Docker engine reachable', status: 'ok', detail: 'Docker 27.0 answers.', durationMs: 5 };

export const RUNTIME_WARN: DoctorCheck = {
  id: 'gpu-runtime', title: 'NVIDIA runtime or CDI on the engine', status: 'warn',
  detail: '`docker info` lists no NVIDIA runtime.', fix: 'Install the NVIDIA Container Toolkit.', durationMs: 3,
};

export const NVML_FAIL: DoctorCheck = {
  id: 'nvidia-smi', title: 'GPUs visible in the container (nvidia-smi -L)', status: 'fail', environment: 'doc1',
  detail: 'nvidia-smi says "Failed to initialize NVML: Unknown Error" (NVIDIA/nvidia-container-toolkit#48).',
  fix: 'Recreate: `gpu-env rm doc1` then `gpu-env up --name doc1`.', durationMs: 40,
};
