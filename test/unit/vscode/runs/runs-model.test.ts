import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ListedRun } from '../../../../src/core/runs/run-facts';
import { parseTrackedRuns, RunsModel, TRACKED_RUNS_KEY, type RunRef, type RunsSource } from '../../../../src/vscode/runs/runs-model';
import { listing } from '../../../support/runs-fakes';
import { RecordingLog, settle } from '../../../support/extension-fakes';

const POLL = { activeMs: 3000, trackedMs: 5000, maxTrackedMs: 60_000 };

class Source implements RunsSource {
  environments = ['exp'];
  runs = new Map<string, ListedRun[]>([['exp', []]]);
  lists = 0;
  failWith: string | undefined;
  async runningEnvironments(): Promise<readonly string[]> {
    return this.environments;
  }
  async list(environment: string): Promise<readonly ListedRun[]> {
    this.lists++;
    if (this.failWith) throw new Error(this.failWith);
    return this.runs.get(environment) ?? [];
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runs model', () => {
  it('reads nothing until asked, then lists every running environment', async () => {
    const source = new Source();
    source.environments = ['a', 'b'];
    source.runs = new Map([['a', [listing('20260101-100000-aaaa')]], ['b', []]]);
    const model = new RunsModel(source, new RecordingLog(), POLL);
    expect(source.lists).toBe(0);
    await model.ensureLoaded();
    expect(model.groups().map((g) => [g.environment, g.state.kind])).toEqual([['a', 'ready'], ['b', 'ready']]);
    expect(model.find('20260101-100000-aaaa')?.environment).toBe('a');
    model.dispose();
  });

  it('polls every 3 s only while a viewer is visible and a run is active', async () => {
    vi.useFakeTimers();
    const source = new Source();
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'running' })]);
    const model = new RunsModel(source, new RecordingLog(), POLL);
    await model.ensureLoaded();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.lists).toBe(1); // nobody is looking
    model.setViewer('runsView', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(source.lists).toBe(2);
    await vi.advanceTimersByTimeAsync(9000);
    expect(source.lists).toBe(5);
    model.setViewer('runsView', false);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.lists).toBe(5);
    model.setViewer('runsView', true);
    await vi.advanceTimersByTimeAsync(0);
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'succeeded' })]);
    await vi.advanceTimersByTimeAsync(3000);
    const settled = source.lists;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(source.lists).toBe(settled); // nothing active: quiet
    model.dispose();
  });

  it('follows a run started here until it ends, even with no viewer, and announces the end once', async () => {
    vi.useFakeTimers();
    const source = new Source();
    const model = new RunsModel(source, new RecordingLog(), POLL);
    const finished: RunRef[] = [];
    model.onDidFinish((ref) => void finished.push(ref));
    model.track('exp', '20260101-100000-aaaa');
    await model.refresh(); // not listed yet: still followed
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'running' })]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(finished).toEqual([]);
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'failed' })]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(finished.map((r) => [r.environment, r.listing.id])).toEqual([['exp', '20260101-100000-aaaa']]);
    const lists = source.lists;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(source.lists).toBe(lists);
    await model.refresh();
    expect(finished).toHaveLength(1);
    model.dispose();
  });

  it('announces the end of runs it saw running, not of runs that had ended before', async () => {
    const source = new Source();
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'running' }), listing('20260101-090000-bbbb', { state: 'succeeded' })]);
    const model = new RunsModel(source, new RecordingLog(), POLL);
    const finished: string[] = [];
    model.onDidFinish((ref) => void finished.push(ref.listing.id));
    await model.refresh();
    source.runs.set('exp', [listing('20260101-100000-aaaa', { state: 'succeeded' }), listing('20260101-090000-bbbb', { state: 'succeeded' })]);
    await model.refresh();
    expect(finished).toEqual(['20260101-100000-aaaa']);
    model.dispose();
  });

  it('an environment change lists again only for a viewer or a followed run', async () => {
    const source = new Source();
    const model = new RunsModel(source, new RecordingLog(), POLL);
    model.refreshIfWatched();
    await settle();
    expect(source.lists).toBe(0); // never loaded: nothing to update
    await model.refresh();
    model.refreshIfWatched();
    await settle();
    expect(source.lists).toBe(1); // loaded, but nobody looks
    model.setViewer('runsView', true);
    await settle();
    model.refreshIfWatched();
    await settle();
    expect(source.lists).toBe(3);
    model.dispose();
  });

  it('a run started before a window reload is still followed after it, and its end announced once', async () => {
    vi.useFakeTimers();
    const values = new Map<string, unknown>();
    const store = { get: (key: string) => values.get(key), update: async (key: string, value: unknown) => void values.set(key, value) };
    const source = new Source();
    const id = '20260101-100000-aaaa';
    const before = new RunsModel(source, new RecordingLog(), POLL, () => 1_000_000);
    before.persistTracked(store);
    before.track('exp', id);
    expect(values.get(TRACKED_RUNS_KEY)).toEqual([{ id, environment: 'exp', since: 1_000_000 }]);
    before.dispose(); // the window reloads

    source.runs.set('exp', [listing(id, { state: 'running' })]);
    const after = new RunsModel(source, new RecordingLog(), POLL, () => 1_010_000);
    const finished: string[] = [];
    after.onDidFinish((ref) => finished.push(ref.listing.id));
    after.persistTracked(store);
    expect(after.isTracked(id)).toBe(true);
    await vi.advanceTimersByTimeAsync(POLL.trackedMs); // nobody looking: followed for its end alone
    expect(source.lists).toBe(1);
    source.runs.set('exp', [listing(id, { state: 'succeeded' })]);
    await vi.advanceTimersByTimeAsync(POLL.trackedMs);
    expect(finished).toEqual([id]);
    expect(values.get(TRACKED_RUNS_KEY)).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(finished).toEqual([id]);
    expect(source.lists).toBe(2); // nothing left to follow: quiet
    after.dispose();
  });

  it('saved followed runs: malformed or too old entries are dropped', () => {
    const saved = [
      { id: '20260101-100000-aaaa', environment: 'exp', since: 5000 },
      { id: '20260101-100000-bbbb', environment: 'exp', since: 10 }, // older than the cut-off
      { id: '../etc', environment: 'exp', since: 5000 },
      { id: '20260101-100000-cccc', environment: '', since: 5000 },
      { id: '20260101-100000-dddd', environment: 'exp', since: 'soon' },
      null,
      'x',
    ];
    expect([...parseTrackedRuns(saved, 1000).keys()]).toEqual(['20260101-100000-aaaa']);
    expect(parseTrackedRuns({ not: 'an array' }, 0).size).toBe(0);
    expect(parseTrackedRuns(undefined, 0).size).toBe(0);
  });

  it('shows a failed list as an error row and keeps the other environments', async () => {
    const log = new RecordingLog();
    const source = new Source();
    source.failWith = 'ssh: connect ECONNREFUSED';
    const model = new RunsModel(source, log, POLL);
    await model.refresh();
    expect(model.groups()).toEqual([{ environment: 'exp', state: { kind: 'failed', message: 'ssh: connect ECONNREFUSED' } }]);
    await model.refresh();
    expect(log.lines.filter((l) => l.startsWith('warn runs in exp'))).toEqual(['warn runs in exp: ssh: connect ECONNREFUSED']); // once, not per poll
    model.dispose();
  });

  it('overlapping refreshes list once more, not twice at once', async () => {
    const source = new Source();
    let inFlight = 0;
    let most = 0;
    source.list = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await settle();
      inFlight--;
      return [];
    };
    const model = new RunsModel(source, new RecordingLog(), POLL);
    await Promise.all([model.refresh(), model.refresh(), model.refresh()]);
    expect(most).toBe(1);
    model.dispose();
  });
});
