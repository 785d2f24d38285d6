/** Test doubles for training runs: listings as the runner prints them, and an in-memory RunsApi. */
import type { RecognisedFailure } from '../../src/core/runs/failure';
import type { FileChunk } from '../../src/core/runs/remote-file';
import { withFacts, type ListedRun } from '../../src/core/runs/run-facts';
import type { RunnerState, RunStatus } from '../../src/core/runs/run-listing';
import type { StartedRun, StartOptions } from '../../src/core/runs/runs-client';
import type { ShippedAssets } from '../../src/core/runs/shipped-assets';
import type { SshSession } from '../../src/core/ssh/session';
import type { RunsApi } from '../../src/vscode/core-api';

export interface ListingInput {
  readonly state?: RunnerState;
  readonly alive?: boolean | null;
  readonly label?: string;
  readonly command?: readonly string[];
  readonly startedAt?: number;
  readonly endedAt?: number | null;
  readonly epoch?: number;
  readonly loss?: number;
  readonly trainAccuracy?: number;
  readonly testAccuracy?: number;
  readonly bestCheckpoint?: string;
  readonly exitCode?: number | null;
  readonly attempt?: number;
}

export const TEMPLATE_COMMAND = ['python3', '/workspace/gpu-env-templates/train_cnn.py', '--model', 'simplecnn', '--dataset', 'fashion-mnist', '--epochs', '5', '--seed', '0', '--run-dir', '/workspace/.gpu-env/runs/x'];

export function status(state: RunnerState, overrides: Partial<RunStatus> = {}): RunStatus {
  return {
    state, pid: 42, exitCode: null, signal: null, stopRequested: false, attempt: 1, startedAt: 1000, updatedAt: 1000, endedAt: null, error: null, alive: state === 'running' || state === 'starting' ? true : false, job: null, attempts: [],
    ...overrides,
  };
}

/** A listing with its facts, as the extension receives it from the core. */
export function listing(id: string, input: ListingInput = {}): ListedRun {
  const state = input.state ?? 'running';
  const ended = input.endedAt ?? (state === 'running' || state === 'starting' ? null : (input.startedAt ?? 1000) + 151);
  return withFacts({
    id,
    dir: `/workspace/.gpu-env/runs/${id}`,
    run: { id, label: input.label ?? 'cnn · fashion-mnist · 5 epochs', command: [...(input.command ?? TEMPLATE_COMMAND)], cwd: '/workspace', environment: 'exp', autoResume: true, createdAt: input.startedAt ?? 1000, cluster: null },
    status: status(state, {
      startedAt: input.startedAt ?? 1000,
      endedAt: ended,
      exitCode: input.exitCode ?? (state === 'succeeded' ? 0 : state === 'failed' ? 1 : null),
      attempt: input.attempt ?? 1,
      ...(input.alive !== undefined ? { alive: input.alive } : {}),
    }),
    metrics: {
      bytes: 100,
      train: input.epoch !== undefined || input.loss !== undefined
        ? { step: 100, epoch: input.epoch ?? null, loss: input.loss ?? null, accuracy: input.trainAccuracy ?? null, lr: 0.001, imagesPerSecond: 1000, time: 1100 }
        : null,
      eval: null,
      lastEvent: null,
      end: input.testAccuracy !== undefined ? { status: 'completed', testAccuracy: input.testAccuracy, testLoss: 0.3, bestCheckpoint: input.bestCheckpoint ?? null, time: 1150 } : null,
    },
    error: null,
  });
}

/** An in-memory runner: `runs` is what `list` prints; calls are recorded. */
export class FakeRuns implements RunsApi {
  runs: ListedRun[] = [];
  readonly calls: string[] = [];
  readonly started: Array<{ options: unknown; extra: StartOptions | undefined }> = [];
  readonly scripts: string[] = [];
  diagnosis: RecognisedFailure | undefined;
  log = '';
  nextId = '20260101-120000-abcd';

  async start(options: unknown, _assets: ShippedAssets, extra?: StartOptions): Promise<StartedRun> {
    this.calls.push('start');
    this.started.push({ options, extra });
    return this.startedRun(['python3', 'train_cnn.py']);
  }
  async startScript(script: string, _assets: ShippedAssets): Promise<StartedRun> {
    this.calls.push('startScript');
    this.scripts.push(script);
    return this.startedRun(['python3', script]);
  }
  async list() {
    this.calls.push('list');
    return { runs: [...this.runs], problems: [] };
  }
  async status(id: string) {
    this.calls.push(`status ${id}`);
    return this.runs.find((r) => r.id === id) ?? null;
  }
  async stop(id: string) {
    this.calls.push(`stop ${id}`);
    return status('stopped');
  }
  async resume(id: string) {
    this.calls.push(`resume ${id}`);
    this.runs = this.runs.map((r) => (r.id === id ? withFacts({ ...r, status: status('running') }) : r));
    return { action: 'resumed' as const, status: status('running') };
  }
  async readLog(id: string, offset: number): Promise<FileChunk> {
    this.calls.push(`readLog ${id} ${offset}`);
    const bytes = Buffer.from(this.log);
    if (offset > bytes.length) return { kind: 'reset', size: bytes.length };
    const data = bytes.subarray(offset);
    return { kind: 'data', offset, data, nextOffset: offset + data.length, size: bytes.length };
  }
  async diagnose(id: string) {
    this.calls.push(`diagnose ${id}`);
    return this.diagnosis;
  }
  metricsPath(id: string): string {
    return `/workspace/.gpu-env/runs/${id}/metrics.jsonl`;
  }

  private startedRun(argv: string[]): StartedRun {
    return { id: this.nextId, dir: `/workspace/.gpu-env/runs/${this.nextId}`, argv, status: status('running'), templates: { written: [], kept: [], updated: [], outdated: [] } };
  }
}

/** A session that is never used for commands (the fake runs answer instead). */
export function idleSession(): SshSession & { closes: number } {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const session = {
    closes: 0,
    closed,
    exec: () => Promise.reject(new Error('not used')),
    spawn: () => Promise.reject(new Error('not used')),
    close: () => {
      session.closes++;
      markClosed();
    },
  };
  return session;
}

export const ASSETS: ShippedAssets = { runner: 'runner', templates: [] };
