import { describe, expect, it } from 'vitest';
import type { EnvironmentInfo } from '../../../../src/core/lifecycle/environment-info';
import { childrenOf, environmentNodeModel, nodeModel, treeChildren } from '../../../../src/vscode/views/environment-node';

const t = (message: string, ...args: unknown[]): string => message.replace(/\{(\d)\}/g, (_m, i: string) => String(args[Number(i)]));
const host = { id: 'slurm-abc', label: 'me@login', engine: 'slurm://login', kind: 'slurm' as const };
const base: EnvironmentInfo = {
  name: 'exp', container: 'gpu-env-exp', id: '42', state: 'running', status: 'running', image: 'node software', gpus: 'gpu:1', workspace: '/home/me/gpu-env/exp', engine: 'slurm://login',
  ssh: { host: 'node1', port: null, user: 'me', alias: 'gpu-env-exp', route: 'srun --overlap on node1 (job 42) via me@login' },
  host,
  job: { id: '42', state: 'RUNNING', nodes: ['node1'], gpus: 'gpu:1', partition: 'gpu', timeLeftSeconds: 5400 },
};

describe('environments on a cluster in the tree', () => {
  it('shows cluster → environment, even for one cluster', () => {
    const roots = treeChildren({ kind: 'ready', environments: [base] }, t);
    expect(roots.map((n) => nodeModel(n, t).label)).toEqual(['me@login']);
    expect(nodeModel(roots[0]!, t).icon.id).toBe('server-environment');
    expect(childrenOf(roots[0]!).map((n) => nodeModel(n, t).label)).toEqual(['exp']);
  });

  it('a running job: state, job id, node, GPUs and time left on the row; partition and route in the tooltip', () => {
    const model = environmentNodeModel(base, t);
    expect(model.description).toBe('running · job 42 · node1 · gpu:1 · 1 h 30 min left');
    expect(model.contextValue).toBe('environment.running');
    expect(model.tooltip).toContain('**Partition:** gpu');
    expect(model.tooltip).toContain('**SSH port:** srun --overlap on node1 \\(job 42\\) via me@login');
  });

  it('a pending job: the queue\'s reason and the expected start', () => {
    const pending = { ...base, state: 'pending' as const, status: 'pending (Resources)', job: { id: '43', state: 'PENDING', reason: 'Resources', nodes: [], partition: 'gpu', expectedStart: '2026-12-03T11:54:00' } };
    const model = environmentNodeModel(pending, t);
    expect(model.description).toBe('pending (Resources) · job 43');
    expect(model.contextValue).toBe('environment.pending');
    expect(model.icon.id).toBe('watch');
    expect(model.tooltip).toContain('**Expected start:** 2026-12-03T11:54:00');
  });
});
