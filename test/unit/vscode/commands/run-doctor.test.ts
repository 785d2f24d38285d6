import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../../src/core/doctor/types';
import type { CoreContext } from '../../../../src/core/lifecycle/context';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { runDoctorCommand } from '../../../../src/vscode/commands/run-doctor';
import { environmentRow, environment, fakeCore, fakeServices } from '../../../support/extension-fakes';


describe('Run GPU Doctor', () => {
  const report: DoctorReport = {
    startedAt: '2026-01-01T00:00:00Z', durationMs: 5, environments: [], checks: [], summary: { ok: 2, warn: 1, fail: 0, skip: 0 }, ok: true,
  };

  it('runs the core doctor and previews its markdown', async () => {
    const asked: unknown[] = [];
    const core = fakeCore({
      runDoctor: async (_ctx: CoreContext, options) => {
        asked.push(options);
        return report;
      },
      renderDoctorMarkdown: () => '# GPU Doctor\n\nall good',
    });
    const services = fakeServices({ core });
    await runCommand(services, runDoctorCommand, []);
    await runCommand(services, runDoctorCommand, [environmentRow(environment('exp'))]);
    expect(asked).toEqual([{}, { environments: ['exp'] }]);
    expect(services.ui.previews).toEqual(['# GPU Doctor\n\nall good', '# GPU Doctor\n\nall good']);
  });

  it('refuses in an untrusted workspace', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    services.ui.trusted = false;
    await runCommand(services, runDoctorCommand, []);
    expect(core.calls).toEqual([]);
    expect(services.ui.previews).toEqual([]);
  });
});
