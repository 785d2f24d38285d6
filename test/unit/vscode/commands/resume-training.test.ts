import { describe, expect, it } from 'vitest';
import { resumeTrainingCommand } from '../../../../src/vscode/commands/resume-training';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import type { ListedRun } from '../../../../src/core/runs/run-facts';
import { listing } from '../../../support/runs-fakes';
import { trainingServices } from '../../../support/training-services';

describe('Stop, Resume, Open Dashboard and Show Training Log', () => {
  const stopped = listing('20260101-090000-bbbb', { state: 'stopped' });
  const node = (l: ListedRun) => ({ kind: 'run' as const, environment: 'exp', listing: l });

  it('resumes, follows it for the finish notification, and offers the dashboard', async () => {
    const { services, runs } = trainingServices();
    runs.runs = [stopped];
    services.ui.respond = (m) => m.actions[0];
    await runCommand(services, resumeTrainingCommand, [node(stopped)]);
    expect(runs.calls[0]).toBe('resume 20260101-090000-bbbb');
    expect(services.training.runs.isTracked(stopped.id)).toBe(true);
    expect(services.ui.texts('info')).toEqual(['Training cnn · fashion-mnist · 5 epochs resumed from its last checkpoint.']);
    expect(services.dashboards).toEqual([[stopped.id]]);
    services.training.runs.dispose();
  });
});
