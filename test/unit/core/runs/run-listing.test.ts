import { describe, expect, it } from 'vitest';
import { parseResumeOutput, parseRunList, parseStatusOutput } from '../../../../src/core/runs/run-listing';
import { RUNNING } from '../../../support/runner-listings';

describe('parseRunList', () => {
  it('reads every field, protocol strings for non-finite numbers included', () => {
    const { runs, problems } = parseRunList(`${JSON.stringify(RUNNING)}\n`);
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.run?.label).toBe('cnn · fashion-mnist · 5 epochs');
    expect(run.run?.autoResume).toBe(true);
    expect(run.status).toMatchObject({ state: 'running', pid: 4242, attempt: 2, alive: true });
    expect(run.metrics?.train?.loss).toBeNaN();
    expect(run.metrics?.train?.imagesPerSecond).toBe(23000);
    expect(run.metrics?.eval).toMatchObject({ split: 'test', accuracy: 0.87, epoch: 1 });
    expect(run.metrics?.lastEvent).toEqual({ event: 'checkpoint', time: 1795545095 });
  });

  it('sorts by id and reports lines that are not runs without failing', () => {
    const older = { ...RUNNING, id: '20261123-000000-0000' };
    const { runs, problems } = parseRunList(`${JSON.stringify(RUNNING)}\nTraceback (most recent call last):\n{"no":"id"}\n${JSON.stringify(older)}\n\n`);
    expect(runs.map((r) => r.id)).toEqual(['20261123-000000-0000', '20261124-183012-ab12']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^line 2: not a run: Traceback/);
  });

  it('wrong types become null, not exceptions', () => {
    const broken = { id: 'r', run: { command: 'python3 x.py' }, status: { state: 'exploded' }, metrics: { train: 5, bytes: 'many' }, error: 'status.json is unreadable' };
    const run = parseRunList(JSON.stringify(broken)).runs[0]!;
    expect(run.run).toBeNull();
    expect(run.status).toBeNull();
    expect(run.metrics).toEqual({ bytes: null, train: null, eval: null, lastEvent: null, end: null });
    expect(run.error).toBe('status.json is unreadable');
  });

  it('reads the end event: test accuracy and best checkpoint', () => {
    const done = { ...RUNNING, metrics: { ...RUNNING.metrics, end: { v: 1, time: 5, event: 'end', status: 'completed', test_accuracy: 0.8848, test_loss: 0.33, best_checkpoint: '/w/ckpt/best.pt' } } };
    expect(parseRunList(JSON.stringify(done)).runs[0]?.metrics?.end).toEqual({ status: 'completed', testAccuracy: 0.8848, testLoss: 0.33, bestCheckpoint: '/w/ckpt/best.pt', time: 5 });
  });
});

describe('start/stop/resume output', () => {
  it('status object', () => {
    expect(parseStatusOutput('{"state": "stopped", "signal": "SIGTERM", "exitCode": null, "stopRequested": true}\n')).toMatchObject({ state: 'stopped', signal: 'SIGTERM', stopRequested: true, alive: null });
    expect(parseStatusOutput('')).toBeNull();
    expect(parseStatusOutput('{"state": "nope"}')).toBeNull();
  });

  it('resume action', () => {
    expect(parseResumeOutput('{"action": "running", "status": {"state": "running", "pid": 9}}')).toMatchObject({ action: 'running', status: { pid: 9 } });
    expect(parseResumeOutput('{"action": "exploded", "status": {"state": "running"}}')).toBeNull();
  });
});
