import { environmentArgument } from '../environment-argument';
import { coreContext } from '../services';
import { requireTrustedWorkspace } from '../trust';
import { RUN_DOCTOR_COMMAND } from '../contribution-ids';
import type { GpuCommand } from './command';

export const runDoctorCommand: GpuCommand = {
  id: RUN_DOCTOR_COMMAND,
  title: (t) => t('Run GPU Doctor'),
  async run(services, arg) {
    const { ui, log, t } = services;
    // The in-container checks run Python in the workspace folder, where a file can shadow a module.
    if (!requireTrustedWorkspace(services, runDoctorCommand.title(t))) return;
    const core = await services.core();
    const given = environmentArgument(arg, core);
    const only = given.kind === 'name' ? given.name : given.kind === 'info' ? given.info.name : undefined;
    const report = await ui.withProgress(t('Checking Docker, GPUs and environments'), (_report, signal) =>
      core.runDoctor(coreContext(core, services, { signal }), only !== undefined ? { environments: [only] } : {}),
    );
    log.info(`doctor: ${report.summary.ok} ok, ${report.summary.warn} warnings, ${report.summary.fail} failed, ${report.summary.skip} skipped`);
    await ui.openMarkdownPreview(core.renderDoctorMarkdown(report));
  },
};
