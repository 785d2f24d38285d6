import { describe, expect, it } from 'vitest';
import { formatOnly } from '../../../support/format-only';
import { childNodes, isRunNode, rootNodes, runNodeModel, runsNodeModel } from '../../../../src/vscode/views/run-node';
import { listing } from '../../../support/runs-fakes';
import { CLUSTER_RUN } from '../../../support/runner-listings';
import { parseRunList } from '../../../../src/core/runs/run-listing';
import { withFacts } from '../../../../src/core/runs/run-facts';

describe('run rows', () => {
  const now = 1000 + 192;

  it('have a state icon, a context value for the menus, and open the dashboard on click', () => {
    const node = { kind: 'run' as const, environment: 'exp', listing: listing('20260101-100000-aaaa', { state: 'failed' }) };
    const model = runNodeModel(node, formatOnly, now);
    expect(model).toMatchObject({ icon: { id: 'error' }, contextValue: 'run.failed', command: { id: 'gpuEnv.openDashboard', args: [node] } });
    expect(isRunNode(model.command!.args![0])).toBe(true);
    expect(runNodeModel({ ...node, listing: listing('20260101-100000-aaaa', { state: 'running' }) }, formatOnly, now).icon.id).toBe('sync~spin');
  });

  it('tooltip: run id, command and data, all escaped', () => {
    const command = ['python3', '/workspace/t/train_cnn.py', '--dataset', 'imagefolder', '--data-dir', '/workspace/[x](command:evil)', '--epochs', '2'];
    const model = runNodeModel({ kind: 'run', environment: 'exp', listing: listing('20260101-100000-aaaa', { command }) }, formatOnly, now);
    expect(model.tooltip).toContain('**Run:** 20260101-100000-aaaa');
    expect(model.tooltip).toContain('**Command:** python3 /workspace/t/train\\_cnn.py');
    expect(model.tooltip).toContain('**Data:** imagefolder \\(/workspace/\\[x\\]\\(command:evil\\)\\)');
    expect(model.tooltip).not.toContain('](command:');
  });

  it('group runs under their environment, newest first, with a row for none and for errors', () => {
    const older = listing('20260101-090000-aaaa');
    const newer = listing('20260101-100000-bbbb');
    const [group] = rootNodes([{ environment: 'exp', state: { kind: 'ready', runs: [older, newer] } }]);
    expect(childNodes(group!, formatOnly).map((n) => (n.kind === 'run' ? n.listing.id : n.kind))).toEqual([newer.id, older.id]);
    expect(runsNodeModel(group!, formatOnly, now)).toMatchObject({ label: 'exp', description: '2 running' });
    const [empty] = rootNodes([{ environment: 'exp', state: { kind: 'ready', runs: [] } }]);
    expect(childNodes(empty!, formatOnly).map((n) => runsNodeModel(n, formatOnly, now))).toEqual([expect.objectContaining({ label: 'No runs yet', command: expect.objectContaining({ id: 'gpuEnv.trainCnn' }) })]);
    const [failed] = rootNodes([{ environment: 'exp', state: { kind: 'failed', message: 'ssh: connection refused' } }]);
    expect(childNodes(failed!, formatOnly).map((n) => runsNodeModel(n, formatOnly, now).description)).toEqual(['ssh: connection refused']);
  });

  it('tooltip of a cluster run: its Slurm job (and why it waits), its nodes and its attempts', () => {
    const parsed = parseRunList(JSON.stringify(CLUSTER_RUN)).runs[0]!;
    const requeued = withFacts({ ...parsed, status: { ...parsed.status!, state: 'stopped', stopRequested: false }, queue: { state: 'PENDING', reason: 'BeginTime', nodes: [] } });
    const model = runNodeModel({ kind: 'run', environment: 'dd', listing: requeued }, formatOnly, now);
    expect(model.icon.id).toBe('loading~spin'); // requeued: on its way again
    expect(model.tooltip).toContain('**Slurm job:** 10 — pending \\(BeginTime\\)');
    expect(model.tooltip).toContain('**Nodes:** node1, node2');
    expect(model.tooltip).toContain('**Attempts:** 1 interrupted at step 234 · 2 stopped at step 250');
    expect(model.tooltip).not.toContain('**Attempt:**');
  });
});
