import { renderDoctorText, runDoctor } from '../../core/doctor';
import { usageError } from '../../core/errors';
import { validateName } from '../../core/validate';
import type { CliCommand } from '../command';
import { JSON_OPTION, parseCommandArgs } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';

const usage = `gpu-env doctor [NAME] [--json] ${HOST_USAGE}`;

export const doctorCommand: CliCommand = {
  name: 'doctor',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION }, usage);
    if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
    const name = positionals[0] !== undefined ? validateName('NAME', positionals[0]) : undefined;
    const report = await runDoctor(remoteContext(io, values), name !== undefined ? { name } : {});
    io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : renderDoctorText(report));
    return report.ok ? 0 : 1;
  },
};
