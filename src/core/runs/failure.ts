/**
 * Recognises the common ways a training run dies from the tail of its stdout.log and says what to
 * do about it. Pure: the caller fetches the tail (RunsClient.diagnose does both).
 */

export type FailureKind = 'cuda-oom' | 'host-oom' | 'shm' | 'gpu-lost' | 'missing-data';

export interface RecognisedFailure {
  readonly kind: FailureKind;
  readonly title: string;
  readonly advice: string;
  /** The log line that gave it away (trimmed). */
  readonly evidence: string;
}

interface Rule {
  readonly kind: FailureKind;
  readonly title: string;
  readonly pattern: RegExp;
  readonly advice: (match: RegExpExecArray) => string;
}

const RULES: readonly Rule[] = [
  {
    kind: 'cuda-oom',
    title: 'The GPU ran out of memory',
    pattern: /CUDA out of memory|torch\.(?:cuda\.)?OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation|CUDNN_STATUS_(?:ALLOC_FAILED|NOT_ENOUGH_WORKSPACE)/,
    advice: () => 'reduce --batch-size (halve it and try again), or pick a smaller model; processes on the same GPU count too (see the GPU monitor)',
  },
  {
    // The runner's line when the kernel's OOM killer ended the run (SIGKILL, exit 137 from a shell,
    // or a DataLoader worker), seen in the memory cgroup's oom_kill counter; or Python's own error.
    kind: 'host-oom',
    title: 'The environment ran out of host memory',
    pattern: /out-of-memory killer killed \d+ process|(?:^|[\s.])(?:_Array)?MemoryError\b/,
    advice: () =>
      'reduce --batch-size (halve it and try again), or give the environment more memory: recreate it with a larger memory limit (gpu-env up --memory 32g --recreate keeps keys, workspace and runs; in VS Code the gpuEnv.memory setting); other processes in the environment count too',
  },
  {
    kind: 'shm',
    title: 'DataLoader workers ran out of shared memory',
    pattern: /Bus error|insufficient shared memory|\/dev\/shm|unable to (?:open shared memory object|write to file <?\/torch_|allocate shared memory)|shm_open/,
    advice: () => 'raise shm size: recreate the environment with a larger shared-memory size (docker --shm-size, e.g. 8g), or run with --workers 0',
  },
  {
    kind: 'gpu-lost',
    title: 'The container lost access to the GPU',
    pattern: /Failed to initialize NVML|NVML: Driver\/library version mismatch|NVML_ERROR_(?:GPU_IS_LOST|UNKNOWN|DRIVER_NOT_LOADED)|GPU is lost|CUDA unknown error|cudaGetDeviceCount\(\)[^\n]*Error 999/,
    advice: () => 'recreate the container (its GPU device handles went stale, e.g. after a driver update or a Docker/systemd reload); if that does not help, reboot the host',
  },
  {
    // train_cnn.py: "<dataset>: missing <files> (.gz or uncompressed) in <folder>, ..." or "... in <folder>. Put ..."
    kind: 'missing-data',
    title: 'Dataset files are missing',
    pattern: /missing ([^\n]+?) (?:\(\.gz or uncompressed\) )?in (\/[^\s,]+?)[,.]?(?:\s|$)/,
    advice: (m) => `put files at ${m[2]}: ${m[1]} (or pass --data-dir with the folder that has them)`,
  },
  {
    kind: 'missing-data',
    title: 'A file is missing',
    pattern: /(?:FileNotFoundError|No such file or directory)[^\n]*?'(\/[^']+)'/,
    advice: (m) => `put files at ${m[1]} (or fix the path in the command)`,
  },
  {
    kind: 'missing-data',
    title: 'Dataset not found',
    pattern: /Dataset not found\. You can use download=True/,
    advice: () => 'put files at the dataset folder given as root= (or pass download=True where the network is reachable)',
  },
];

// Colour codes and carriage-return progress bars would hide a line's start from the patterns.
// eslint-disable-next-line no-control-regex -- the escape character starts what is removed
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * The failure whose evidence comes last in the tail (the latest error is the one that ended the
 * run), or undefined when nothing known matches.
 */
export function recogniseFailure(stdoutTail: string): RecognisedFailure | undefined {
  const lines = stdoutTail.replace(ANSI, '').split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    for (const rule of RULES) {
      const match = rule.pattern.exec(line);
      if (match) return { kind: rule.kind, title: rule.title, advice: rule.advice(match), evidence: clip(line.trim()) };
    }
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
