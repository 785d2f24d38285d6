import { describe, expect, it } from 'vitest';
import { openDashboardCommand } from '../../../../src/vscode/commands/open-dashboard';
import { resumeTrainingCommand } from '../../../../src/vscode/commands/resume-training';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { stopTrainingCommand } from '../../../../src/vscode/commands/stop-training';
import { listing } from '../../../support/runs-fakes';
import { trainingServices } from '../../../support/training-services';

describe('Stop, Resume, Open Dashboard and Show Training Log', () => {
  const running = listing('20260101-100000-aaaa', { state: 'running', epoch: 1.4, loss: 0.41 });
  const stopped = listing('20260101-090000-bbbb', { state: 'stopped' });
  const node = (l: typeof running) => ({ kind: 'run' as const, environment: 'exp', listing: l });

  it('stops the run of a tree row, then refreshes', async () => {
    const { services, runs } = trainingServices();
    runs.runs = [running];
    await runCommand(services, stopTrainingCommand, [node(running)]);
    expect(runs.calls).toEqual(['stop 20260101-100000-aaaa', 'list']);
    expect(services.ui.texts('info')).toEqual(['Training cnn · fashion-mnist · 5 epochs stopped. Resume it from the Runs view.']);
    services.training.runs.dispose();
  });

  it('from the palette, offers only the runs that fit', async () => {
    const { services, runs } = trainingServices();
    runs.runs = [running, stopped];
    await runCommand(services, stopTrainingCommand, []);
    expect(services.ui.lastPickItems.map((i) => (i.value as { listing: { id: string } }).listing.id)).toEqual([running.id]);
    await runCommand(services, resumeTrainingCommand, []);
    expect(services.ui.lastPickItems.map((i) => (i.value as { listing: { id: string } }).listing.id)).toEqual([stopped.id]);
    runs.runs = [stopped];
    await runCommand(services, stopTrainingCommand, []);
    expect(services.ui.texts('info')).toContain('No training run is running.');
    services.training.runs.dispose();
  });

  it('rejects a malformed run id before connecting', async () => {
    const { services, runs } = trainingServices();
    await runCommand(services, stopTrainingCommand, ['../../etc']);
    expect(services.ui.texts('error')).toEqual(['Stop Training: "../../etc" is not a run id (expected YYYYMMDD-HHMMSS-xxxx).']);
    expect(runs.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
    await runCommand(services, openDashboardCommand, ['nope']);
    expect(services.dashboards).toEqual([]);
  });
});
