import { describe, expect, it } from 'vitest';
import { openDashboardCommand } from '../../../../src/vscode/commands/open-dashboard';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { listing } from '../../../support/runs-fakes';
import { trainingServices } from '../../../support/training-services';

describe('Stop, Resume, Open Dashboard and Show Training Log', () => {
  const running = listing('20260101-100000-aaaa', { state: 'running', epoch: 1.4, loss: 0.41 });
  const node = (l: typeof running) => ({ kind: 'run' as const, environment: 'exp', listing: l });

  it('opens the dashboard on a row or an id, or on the default run', async () => {
    const { services } = trainingServices();
    await runCommand(services, openDashboardCommand, [node(running)]);
    await runCommand(services, openDashboardCommand, [running.id]);
    await runCommand(services, openDashboardCommand, []);
    expect(services.dashboards).toEqual([[running.id], [running.id], undefined]);
  });
});
