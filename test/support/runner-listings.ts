/** A run as `gpu_env_run.py list` prints it (captured from the runner, trimmed), for the parser's and the run facts' tests. */
export const RUNNING = {
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
