import type { ContainerTarget } from '../container-probe';
import { formatBytes, GIB, recreateCommands } from '../format';
import { parseDf } from '../parse/df';
import { excerpt } from '../parse/nvidia-smi';
import { fail, ok, warn, type Check } from '../check';

export const MIN_SHM_BYTES = GIB;
/** -P keeps one line per file system; -B1 gives bytes where GNU df has it, -k is POSIX. */
export const SHM_DF = 'df -P -B1 /dev/shm 2>/dev/null || df -Pk /dev/shm';

export const shmSizeCheck: Check<ContainerTarget> = {
  id: 'shm',
  title: 'Shared memory (/dev/shm) for DataLoader workers',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `df -h /dev/shm` in the environment.',
  async run({ info, probe }) {
    const result = await probe.run(SHM_DF);
    const df = result.code === 0 ? parseDf(result.stdout) : undefined;
    if (!df) {
      return fail(`Could not read the size of /dev/shm (exit ${result.code ?? 'none'}): ${excerpt(`${result.stdout}\n${result.stderr}`)}`, `Recreate the environment so it gets its shared memory mount: ${recreateCommands(info, '--shm-size 8g')}.`);
    }
    const size = `/dev/shm is ${formatBytes(df.sizeBytes)} (${formatBytes(df.availableBytes)} free)`;
    if (df.sizeBytes < MIN_SHM_BYTES) {
      return warn(
        `${size}, under ${formatBytes(MIN_SHM_BYTES)}: PyTorch DataLoader workers pass batches through shared memory and die with "Bus error" when it runs out (pytorch/pytorch#5040). Docker's default is 64 MiB.`,
        `The size is fixed when the container is created: ${recreateCommands(info, '--shm-size 8g')}. Meanwhile, num_workers=0 avoids shared memory.`,
      );
    }
    return ok(`${size}.`);
  },
};
