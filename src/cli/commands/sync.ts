import { resolve } from 'node:path';
import { syncWorkspace, watchWorkspace, type SyncReport } from '../../core/api';
import { usageError } from '../../core/errors';
import { validateName, validateWorkspace } from '../../core/validate';
import type { CliCommand, CliIo } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';

const usage = `gpu-env sync NAME [--workspace DIR] [--watch] [--json] ${HOST_USAGE}`;

export const syncCommand: CliCommand = {
  name: 'sync',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { workspace: { type: 'string', short: 'w' }, watch: { type: 'boolean' }, ...REMOTE_HOST_OPTIONS, ...JSON_OPTION }, usage);
    const name = validateName('NAME', requireName(positionals, usage));
    const local = validateWorkspace('--workspace', resolve(io.cwd, stringOption(values, 'workspace') ?? '.')).path;
    const json = values.json === true;
    const ctx = remoteContext(io, values);
    if (values.watch !== true) {
      printReport(io, await syncWorkspace(name, local, ctx), json);
      return 0;
    }
    if (json) throw usageError(`--json: not with --watch (it prints one line per round); use one of them\nusage: ${usage}`);
    io.stderr.write(`• Watching ${local}; Ctrl-C stops\n`);
    await watchWorkspace(name, local, { ...ctx, signal: io.signal }, {
      onReport: (report) => printReport(io, report, false),
      onError: (message) => io.stderr.write(`! sync failed (the next change tries again): ${message}\n`),
    });
    return 0;
  },
};

function printReport(io: CliIo, report: SyncReport, json: boolean): void {
  if (json) return void io.stdout.write(`${JSON.stringify(report)}\n`);
  const mb = (report.bytes / (1024 * 1024)).toFixed(2);
  const notes = [`${report.unchanged} unchanged`, `${report.ignored} ignored by .gitignore`, ...(report.skipped > 0 ? [`${report.skipped} links or special files skipped`] : [])];
  io.stdout.write(`copied ${report.files} files (${mb} MB) to ${report.destination} in ${(report.durationMs / 1000).toFixed(2)} s; ${notes.join(', ')}\n`);
}
