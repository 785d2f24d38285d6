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

/** A cluster run (`train --nodes 2` on the Slurm test cluster) after a requeue and a stop, as `gpu_env_run.py status` printed it (metrics left out). */
export const CLUSTER_RUN = {
  id: '20261203-121746-4298',
  dir: '/home/researcher/gpu-env/dd/.gpu-env/runs/20261203-121746-4298',
  run: {
    autoResume: true, cluster: { nodes: 2, nprocPerNode: 1, scheduler: 'slurm', time: null, warnSeconds: 90 },
    command: ['python3', '/home/researcher/gpu-env/dd/gpu-env-templates/train_cnn.py', '--model', 'simplecnn', '--dataset', 'fashion-mnist', '--epochs', '6', '--seed', '0', '--run-dir', '/home/researcher/gpu-env/dd/.gpu-env/runs/20261203-121746-4298'],
    createdAt: 1796300266.8143034, cwd: '/home/researcher/gpu-env/dd', environment: 'dd', id: '20261203-121746-4298', label: 'cnn · fashion-mnist · 6 epochs · 2 nodes × 1 process', maxRestarts: 3, nprocPerNode: 1, resumeArgs: ['--resume'], v: 1,
  },
  status: {
    attempt: 2,
    attempts: [
      { attempt: 1, end: 'interrupted', endedAt: 1796300347.0857534, exitCode: null, jobId: '10', lastStep: 234, nodes: ['node1', 'node2'], restartCount: 0, startedAt: 1796300267.3057911 },
      { attempt: 2, end: 'stopped', endedAt: 1796300370.5817719, exitCode: 143, jobId: '10', lastStep: 250, nodes: ['node1', 'node2'], restartCount: 1, startedAt: 1796300347.0857534 },
    ],
    endedAt: 1796300370.5817008, error: null, exitCode: 143, job: { id: '10', nodes: ['node1', 'node2'], restartCount: 1, scheduler: 'slurm' }, pgid: null, pid: null, ranks: null, signal: null,
    startedAt: 1796300347.0857534, state: 'stopped', stopRequested: true, updatedAt: 1796300371.2884424, v: 1, alive: null,
  },
  metrics: null,
};
