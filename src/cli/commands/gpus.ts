import { gpus, holderName, type GpuHoldersReport, type HostGpu } from '../../core/api';
import { usageError } from '../../core/errors';
import { formatMemoryPair, formatGiB, formatPercent } from '../../core/gpu/format';
import { formatMs } from '../../core/util/abort';
import type { CliCommand, CliIo } from '../command';
import { JSON_OPTION, parseCommandArgs, stringOption } from '../args';
import { table } from '../format';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';

const usage = `gpu-env gpus [--json] [--partition P] ${HOST_USAGE}`;

export const gpusCommand: CliCommand = {
  name: 'gpus',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION, partition: { type: 'string' } }, usage);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
    const partition = stringOption(values, 'partition');
    const report = await gpus(remoteContext(io, values), partition !== undefined ? { partition } : {});
    if (values.json === true) io.stdout.write(`${JSON.stringify(report)}\n`);
    else printReport(io, report);
    return 0;
  },
};

function printReport(io: CliIo, report: GpuHoldersReport): void {
  const free = report.gpus.filter((gpu) => gpu.free).length;
  io.stdout.write(`${report.gpus.length} GPU${report.gpus.length === 1 ? '' : 's'} on ${report.host.label} (${report.engine}), ${free} free · sampled in ${formatMs(report.probeMs)}\n`);
  const onNodes = report.gpus.some((gpu) => gpu.node !== undefined);
  io.stdout.write(onNodes
    ? table(['NODE', 'GPU', 'TYPE', 'HELD BY'], report.gpus.map((gpu) => [gpu.node ?? '?', String(gpu.index), gpu.name ?? '?', heldBy(gpu)]))
    : table(['GPU', 'NAME', 'UTIL', 'MEMORY', 'HELD BY'], report.gpus.map(row)));
  for (const gpu of report.gpus) {
    const processes = gpu.processes ?? [];
    if (processes.length === 0) continue;
    const list = processes.slice(0, 8).map((p) => `${p.pid}${p.usedMemoryBytes === null ? '' : ` (${formatGiB(p.usedMemoryBytes)} GB)`} ${p.environment ? `in ${p.environment}` : p.container ? `in container ${p.container}` : 'outside containers'}`);
    io.stdout.write(`GPU ${gpu.index} processes: ${list.join(', ')}${processes.length > 8 ? ` and ${processes.length - 8} more` : ''}\n`);
  }
}

function row(gpu: HostGpu): string[] {
  return [
    String(gpu.index),
    gpu.name ?? '?',
    formatPercent(gpu.utilizationGpuPercent),
    formatMemoryPair(gpu.memoryUsedBytes, gpu.memoryTotalBytes) ?? '–',
    heldBy(gpu),
  ];
}

function heldBy(gpu: HostGpu): string {
  if (gpu.holders.length > 0) return gpu.holders.map(holderName).join(', ');
  return gpu.free ? 'free' : 'unavailable (node down or drained)';
}
