import { describe, expect, it } from 'vitest';
import { parseResumeOutput, parseRunList, parseStatusOutput, toRunInfo } from '../../../../src/core/runs/run-listing';

// Shaped like `gpu_env_run.py list` output (captured from the runner, trimmed).
const RUNNING = {
  id: '20261124-183012-ab12',
  dir: '/workspace/.gpu-env/runs/20261124-183012-ab12',
  run: { v: 1, id: '20261124-183012-ab12', label: 'cnn · fashion-mnist · 5 epochs', command: ['python3', 'train_cnn.py'], cwd: '/workspace', environment: 'dev', autoResume: true, createdAt: 1795545000.5 },
  status: { v: 1, state: 'running', pid: 4242, pgid: 4242, exitCode: null, signal: null, stopRequested: false, attempt: 2, startedAt: 1795545001, updatedAt: 1795545002, endedAt: null, error: null, alive: true },
  metrics: {
    bytes: 12345,
    train: { v: 1, time: 1795545100, step: 300, epoch: 1.28, split: 'train', loss: 'NaN', accuracy: 0.88, lr: 0.001, images_per_s: 23000 },
    eval: { v: 1, time: 1795545090, step: 234, epoch: 1, split: 'test', loss: 0.36, accuracy: 0.87 },
    event: { v: 1, time: 1795545095, event: 'checkpoint', step: 300 },
    end: null,
  },
};

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

describe('toRunInfo', () => {
  it('maps a live run for the dashboard', () => {
    expect(toRunInfo(parseRunList(JSON.stringify(RUNNING)).runs[0]!)).toEqual({
      id: '20261124-183012-ab12',
      label: 'cnn · fashion-mnist · 5 epochs',
      state: 'running',
      startTime: 1795545000.5,
      env: 'dev',
    });
  });

  it("a 'running' status whose processes are gone is unknown, not running", () => {
    const gone = { ...RUNNING, status: { ...RUNNING.status, alive: false } };
    expect(toRunInfo(parseRunList(JSON.stringify(gone)).runs[0]!).state).toBe('unknown');
  });

  it('falls back to the id and the status time', () => {
    const bare = { id: 'x', status: { state: 'failed', startedAt: 7, alive: false } };
    expect(toRunInfo(parseRunList(JSON.stringify(bare)).runs[0]!)).toEqual({ id: 'x', label: 'x', state: 'failed', startTime: 7, env: null });
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
