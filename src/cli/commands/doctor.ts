import { renderDoctorText, runDoctor } from '../../core/doctor';
import { usageError } from '../../core/errors';
import { validateName } from '../../core/validate';
import type { CliCommand } from '../command';
import { HOST_OPTION, JSON_OPTION, parseCommandArgs, stringOption } from '../args';
import { cliContext } from '../context';

const usage = 'gpu-env doctor [NAME] [--json] [--host URL]';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check the engine, its GPU runtime and environments, with a fix for each problem; exits 1 when a check failed',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { ...HOST_OPTION, ...JSON_OPTION }, usage);
    if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
    const name = positionals[0] !== undefined ? validateName('NAME', positionals[0]) : undefined;
    const report = await runDoctor(cliContext(io, stringOption(values, 'host')), name !== undefined ? { name } : {});
    io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : renderDoctorText(report));
    return report.ok ? 0 : 1;
  },
};
