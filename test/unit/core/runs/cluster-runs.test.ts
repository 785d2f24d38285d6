import { describe, expect, it } from 'vitest';
import { requestToResubmit, withQueue } from '../../../../src/core/runs/cluster-runs';
import { runFacts } from '../../../../src/core/runs/run-facts';
import { parseRunList, type QueuedJob, type RunListing } from '../../../../src/core/runs/run-listing';
import { runPathsFor } from '../../../../src/core/runs/paths';
import type { RunScheduler } from '../../../../src/core/runs/run-scheduler';
import { CLUSTER_RUN, RUNNING } from '../../../support/runner-listings';

const parsed = (value: unknown): RunListing => parseRunList(JSON.stringify(value)).runs[0]!;
const withStatus = (changes: Record<string, unknown>): typeof CLUSTER_RUN => ({ ...CLUSTER_RUN, status: { ...CLUSTER_RUN.status, ...changes } });

/** A scheduler whose queue holds `jobs` (only `queue` is used by these tests). */
function schedulerWith(jobs: Record<string, QueuedJob> | Error): RunScheduler & { asked: string[][] } {
  const asked: string[][] = [];
  const unused = (): never => {
    throw new Error('not used here');
  };
  return {
    environment: 'dd',
    asked,
    plan: unused,
    submit: unused,
    stop: unused,
    queue: async (ids) => {
      asked.push([...ids]);
      if (jobs instanceof Error) throw jobs;
      return new Map(Object.entries(jobs).filter(([id]) => ids.includes(id)));
    },
  };
}

describe('a cluster run as the runner lists it', () => {
  it('reads its cluster record, its job and its attempts', () => {
    const run = parsed(CLUSTER_RUN);
    expect(run.run?.cluster).toEqual({ scheduler: 'slurm', nodes: 2, nprocPerNode: 1, time: null });
    expect(run.status?.job).toEqual({ id: '10', nodes: ['node1', 'node2'], restartCount: 1 });
    expect(run.status?.attempts.map((a) => [a.attempt, a.end, a.lastStep])).toEqual([[1, 'interrupted', 234], [2, 'stopped', 250]]);
    expect(run.status?.alive).toBeNull();
  });

  it('drops what is not a job id, a node name or a known end (the files are the workspace\'s)', () => {
    const run = parsed(withStatus({ job: { id: '10; rm -rf ~', nodes: [] }, attempts: [{ attempt: 1, jobId: '10', nodes: ['node1', '$(x)'], end: 'exploded' }, { attempt: 2, jobId: 'x' }] }));
    expect(run.status?.job).toBeNull();
    expect(run.status?.attempts).toEqual([{ attempt: 1, jobId: '10', nodes: ['node1'], startedAt: null, endedAt: null, end: null, exitCode: null, lastStep: null }]);
  });
});

describe('the queue decides whether a cluster run is still on its way', () => {
  const state = (status: Record<string, unknown>, queue: QueuedJob | null): string => runFacts({ ...parsed(withStatus(status)), queue }).state;
  const job = (queueState: string): QueuedJob => ({ state: queueState, reason: null, nodes: [] });

  it('a requeued job (PENDING) whose last attempt said "stopped" is starting again', () => {
    expect(state({ state: 'stopped', stopRequested: false }, job('PENDING'))).toBe('starting');
  });

  it('running only when both the job and the run say so', () => {
    expect(state({ state: 'running', stopRequested: false }, job('RUNNING'))).toBe('running');
    expect(state({ state: 'stopped', stopRequested: false }, job('RUNNING'))).toBe('starting');
  });

  it('a run that says running whose job has left the queue is unknown (it ended with its node, unrecorded)', () => {
    expect(state({ state: 'running', stopRequested: false }, null)).toBe('unknown');
  });

  it('a failed attempt whose job Slurm queued again (a failed node) is starting again; once it has left, failed', () => {
    expect(state({ state: 'failed', stopRequested: false }, job('PENDING'))).toBe('starting');
    expect(state({ state: 'failed', stopRequested: false }, job('COMPLETING'))).toBe('failed');
    expect(state({ state: 'failed', stopRequested: false }, null)).toBe('failed');
  });

  it('a stop asked for, or an end recorded, is what it says', () => {
    expect(state({ state: 'stopped', stopRequested: true }, job('RUNNING'))).toBe('stopped');
    expect(state({ state: 'succeeded', stopRequested: false }, job('COMPLETING'))).toBe('succeeded');
    expect(state({ state: 'stopped', stopRequested: true }, null)).toBe('stopped');
  });
});

describe('withQueue', () => {
  it('asks the scheduler once for every cluster run\'s job, and marks each alive or gone', async () => {
    const list = parseRunList([JSON.stringify(CLUSTER_RUN), JSON.stringify({ ...withStatus({ job: { id: '11', nodes: [] } }), id: '20261203-121800-0000' }), JSON.stringify(RUNNING)].join('\n'));
    const scheduler = schedulerWith({ '11': { state: 'PENDING', reason: 'BeginTime', nodes: [] } });
    const queued = await withQueue(list, scheduler);
    expect(scheduler.asked).toEqual([['10', '11']]);
    const byId = new Map(queued.runs.map((run) => [run.id, run]));
    expect(byId.get('20261203-121746-4298')).toMatchObject({ queue: null, status: { alive: false } });
    expect(byId.get('20261203-121800-0000')).toMatchObject({ queue: { state: 'PENDING', reason: 'BeginTime' }, status: { alive: true } });
    // A run of one machine is left as the runner listed it.
    expect(byId.get(RUNNING.id)).toEqual(list.runs.find((run) => run.id === RUNNING.id));
  });

  it('reads a run again when its files said active but its job had left the queue (it ended in between)', async () => {
    const running = withStatus({ state: 'running', stopRequested: false });
    const ended = withStatus({ state: 'succeeded', stopRequested: false });
    const reread: string[] = [];
    const queued = await withQueue(parseRunList(JSON.stringify(running)), schedulerWith({}), undefined, async (id) => {
      reread.push(id);
      return parsed(ended);
    });
    expect(reread).toEqual([CLUSTER_RUN.id]);
    expect(runFacts(queued.runs[0]!).state).toBe('succeeded');
    // Still running in the queue: nothing to read again.
    reread.length = 0;
    await withQueue(parseRunList(JSON.stringify(running)), schedulerWith({ '10': { state: 'RUNNING', reason: null, nodes: [] } }), undefined, async (id) => {
      reread.push(id);
      return null;
    });
    expect(reread).toEqual([]);
  });

  it('lists the runs without the queue, saying why, when it cannot be read', async () => {
    const queued = await withQueue(parseRunList(JSON.stringify(CLUSTER_RUN)), schedulerWith(new Error('login node unreachable')));
    expect(queued.runs[0]).not.toHaveProperty('queue');
    expect(queued.problems).toEqual(["cannot read the cluster's queue: login node unreachable"]);
  });

  it('asks nothing when no run is a cluster run', async () => {
    const scheduler = schedulerWith({});
    await withQueue(parseRunList(JSON.stringify(RUNNING)), scheduler);
    expect(scheduler.asked).toEqual([]);
  });
});

describe('submitting a cluster run again', () => {
  const paths = runPathsFor('/home/researcher/gpu-env/dd');

  it('takes nodes, ranks and command from run.json, and the run\'s own runner copy', () => {
    const request = requestToResubmit(paths, parsed(CLUSTER_RUN));
    expect(request).toMatchObject({ runId: CLUSTER_RUN.id, nodes: 2, nprocPerNode: 1, argv: CLUSTER_RUN.run.command, runner: `${CLUSTER_RUN.dir}/gpu_env_run.py` });
    expect(request).not.toHaveProperty('time');
  });

  it('checks the recorded time limit again before it reaches sbatch', () => {
    const timed = (time: string): unknown => ({ ...CLUSTER_RUN, run: { ...CLUSTER_RUN.run, cluster: { ...CLUSTER_RUN.run.cluster, time } } });
    expect(requestToResubmit(paths, parsed(timed('30')))?.time).toBe('30');
    expect(requestToResubmit(paths, parsed(timed('30 --wrap=x')))).not.toHaveProperty('time');
  });

  it('is nothing for a run of one machine', () => {
    expect(requestToResubmit(paths, parsed(RUNNING))).toBeUndefined();
  });
});
