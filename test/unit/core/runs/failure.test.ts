import { describe, expect, it } from 'vitest';
import { recogniseFailure } from '../../../../src/core/runs/failure';

const traceback = (last: string) => `epoch 0.40/5 step 100 loss 0.51 acc 0.81 21000 img/s
Traceback (most recent call last):
  File "/workspace/gpu-env-templates/train_cnn.py", line 310, in <module>
    sys.exit(main())
${last}
[gpu-env-run 2026-11-24 18:40:02] attempt 1 ended: failed (exit code 1)
`;

describe('recogniseFailure', () => {
  it('CUDA out of memory → reduce --batch-size', () => {
    const f = recogniseFailure(traceback('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.2 GiB is free.'));
    expect(f?.kind).toBe('cuda-oom');
    expect(f?.advice).toMatch(/reduce --batch-size/);
    expect(f?.evidence).toMatch(/^torch\.OutOfMemoryError: CUDA out of memory/);
  });

  it('older wording: RuntimeError: CUDA out of memory', () => {
    expect(recogniseFailure('RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB')?.kind).toBe('cuda-oom');
    expect(recogniseFailure('RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`')?.kind).toBe('cuda-oom');
  });

  it('killed by the kernel OOM killer (the runner\'s line) → host memory: smaller batch or a larger --memory (issue 16 defect 18)', () => {
    const log = `epoch 0.40/5 step 100 loss 0.51
[gpu-env-run 2026-12-03 14:00:00] the kernel's out-of-memory killer killed 1 process of this environment: host memory ran out (the environment's --memory limit, or the machine's RAM)
[gpu-env-run 2026-12-03 14:00:00] attempt 1 ended: failed (signal SIGKILL)
`;
    const f = recogniseFailure(log);
    expect(f?.kind).toBe('host-oom');
    expect(f?.title).toBe('The environment ran out of host memory');
    expect(f?.advice).toMatch(/reduce --batch-size/);
    expect(f?.advice).toMatch(/--memory 32g --recreate/);
    expect(f?.evidence).toMatch(/out-of-memory killer killed 1 process/);
    expect(recogniseFailure(traceback('MemoryError'))?.kind).toBe('host-oom');
    expect(recogniseFailure(traceback('numpy.core._exceptions._ArrayMemoryError: Unable to allocate 8.00 GiB for an array'))?.kind).toBe('host-oom');
    // CUDA's own error stays a GPU problem.
    expect(recogniseFailure(traceback('torch.OutOfMemoryError: CUDA out of memory.'))?.kind).toBe('cuda-oom');
    // A plain SIGKILL (stop after its grace time) is not a memory problem.
    expect(recogniseFailure('[gpu-env-run 2026-12-03 14:00:00] attempt 1 ended: stopped (signal SIGKILL)\n')).toBeUndefined();
  });

  it('DataLoader bus error → raise shm size', () => {
    const log = traceback(
      "RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.",
    );
    const f = recogniseFailure(log);
    expect(f?.kind).toBe('shm');
    expect(f?.advice).toMatch(/raise shm size/);
  });

  it('shm variants', () => {
    expect(recogniseFailure('ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).')?.kind).toBe('shm');
    expect(recogniseFailure('RuntimeError: unable to write to file </torch_123_456_0>: No space left on device (28)')?.kind).toBe('shm');
  });

  it('NVML lost → recreate the container', () => {
    for (const line of [
      'Failed to initialize NVML: Unknown Error',
      'Failed to initialize NVML: Driver/library version mismatch',
      'RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start.',
      'pynvml.NVMLError_GpuIsLost: NVML_ERROR_GPU_IS_LOST',
    ]) {
      const f = recogniseFailure(traceback(line));
      expect(f?.kind, line).toBe('gpu-lost');
      expect(f?.advice).toMatch(/recreate the container/);
    }
  });

  it("the template's missing-data error → put files at the folder, naming the files", () => {
    const f = recogniseFailure(
      'error: fashion-mnist: missing train-images-idx3-ubyte, t10k-labels-idx1-ubyte (.gz or uncompressed) in /workspace/data/fm, /workspace/data/fm/raw, /workspace/data/fm/FashionMNIST/raw. Put the four IDX files (...) in /workspace/data/fm, pass --data-dir, or add --download when the network is reachable.\n',
    );
    expect(f?.kind).toBe('missing-data');
    expect(f?.advice).toBe('put files at /workspace/data/fm: train-images-idx3-ubyte, t10k-labels-idx1-ubyte (or pass --data-dir with the folder that has them)');
  });

  it('CIFAR files missing, and a plain FileNotFoundError', () => {
    const cifar = recogniseFailure('error: cifar10: missing data_batch_1, data_batch_2, data_batch_3, data_batch_4, data_batch_5, test_batch in /data/c10, /data/c10/cifar-10-batches-py. Put ...');
    expect(cifar?.advice).toMatch(/^put files at \/data\/c10: data_batch_1, .*test_batch/);
    const plain = recogniseFailure("FileNotFoundError: [Errno 2] No such file or directory: '/workspace/data/train.csv'");
    expect(plain?.kind).toBe('missing-data');
    expect(plain?.advice).toMatch(/^put files at \/workspace\/data\/train\.csv/);
  });

  it('the latest failure in the tail wins', () => {
    const log = 'RuntimeError: CUDA out of memory.\nretrying with workers...\nRuntimeError: DataLoader worker (pid 1) is killed by signal: Bus error.\n';
    expect(recogniseFailure(log)?.kind).toBe('shm');
  });

  it('sees through colour codes and carriage-return progress bars', () => {
    expect(recogniseFailure('\u001b[31mtorch.OutOfMemoryError: CUDA out of memory\u001b[0m')?.kind).toBe('cuda-oom');
    expect(recogniseFailure('50%|#####     |\r100%|##########|\rFailed to initialize NVML: Unknown Error')?.kind).toBe('gpu-lost');
  });

  it('says nothing about healthy or unknown endings', () => {
    expect(recogniseFailure('')).toBeUndefined();
    expect(recogniseFailure('done: test accuracy 0.8848\n[gpu-env-run] attempt 1 ended: succeeded (exit code 0)\n')).toBeUndefined();
    expect(recogniseFailure(traceback('ValueError: something else entirely'))).toBeUndefined();
  });
});
