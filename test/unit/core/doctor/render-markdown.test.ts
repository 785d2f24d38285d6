import { describe, expect, it } from 'vitest';
import { renderDoctorMarkdown } from '../../../../src/core/doctor';
import type { DoctorCheck } from '../../../../src/core/doctor';
import { report, ENGINE_OK, RUNTIME_WARN, NVML_FAIL } from '../../../support/doctor-report-samples';
const SHM_OK: DoctorCheck = { id: 'shm', title: 'Shared memory (/dev/shm) for DataLoader workers', status: 'ok', environment: 'doc1', detail: '/dev/shm is 8.0 GiB (8.0 GiB free).', durationMs: 9 };

describe('renderDoctorMarkdown', () => {
  const markdown = renderDoctorMarkdown(report([ENGINE_OK, RUNTIME_WARN, NVML_FAIL, SHM_OK]));

  it('opens with the verdict, the counts and the engine', () => {
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '# gpu-env doctor',
      '',
      '**Some checks failed:** 1 failed, 1 warning, 2 ok, 0 skipped · engine `unix:///var/run/docker.sock` (from default)',
    ]);
  });

  it('groups engine checks before each environment, one list item per check with its fix', () => {
    expect(markdown).toContain([
      '## Engine',
      '',
      '- ✅ ok · **Docker engine reachable**: Docker 27.0 answers.',
      '- ⚠️ warning · **NVIDIA runtime or CDI on the engine**: `docker info` lists no NVIDIA runtime.',
      '  - **Fix:** Install the NVIDIA Container Toolkit.',
      '',
      '## Environment `doc1`',
      '',
      '- ❌ failed · **GPUs visible in the container (nvidia-smi -L)**: nvidia-smi says "Failed to initialize NVML: Unknown Error" (NVIDIA/nvidia-container-toolkit\\#48).',
      '  - **Fix:** Recreate: `gpu-env rm doc1` then `gpu-env up --name doc1`.',
      '- ✅ ok · **Shared memory (/dev/shm) for DataLoader workers**: /dev/shm is 8.0 GiB (8.0 GiB free).',
    ].join('\n'));
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('escapes what the container printed, so it cannot become markup, links or HTML', () => {
    const hostile: DoctorCheck = {
      id: 'nvidia-smi', title: 'GPUs', status: 'ok', environment: 'x',
      detail: 'GPU 0 <img src=x onerror=alert(1)> [click](http://evil) *bold* a_b | c & d',
      durationMs: 1,
    };
    const line = renderDoctorMarkdown(report([hostile])).split('\n').find((l) => l.includes('GPU 0'));
    expect(line).toBe('- ✅ ok · **GPUs**: GPU 0 \\<img src=x onerror=alert(1)\\> \\[click\\](http://evil) \\*bold\\* a\\_b \\| c \\& d');
  });

  it('keeps multi-line details inside their list item', () => {
    const multi: DoctorCheck = { id: 'cuda', title: 'CUDA', status: 'ok', detail: 'first\nsecond', durationMs: 1 };
    expect(renderDoctorMarkdown(report([multi]))).toContain('**CUDA**: first  \n    second');
  });

  it('says when nothing failed', () => {
    expect(renderDoctorMarkdown(report([ENGINE_OK, RUNTIME_WARN]))).toContain('**No check failed:** 0 failed, 1 warning, 1 ok, 0 skipped');
  });
});
