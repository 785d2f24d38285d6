import { describe, expect, it } from 'vitest';
import { EnvironmentStore } from '../../../src/vscode/environment-store';
import { environment, RecordingLog, settle } from '../../support/extension-fakes';
import { scriptedSource } from '../../support/scripted-store-source';

describe('EnvironmentStore', () => {
  it('reads nothing until asked, then lists once and watches once', async () => {
    const source = scriptedSource();
    source.answers.push([environment('a')]);
    const store = new EnvironmentStore(source, new RecordingLog(), 1);
    expect(source.lists).toBe(0);
    await Promise.all([store.ensureLoaded(), store.ensureLoaded()]);
    await store.ensureLoaded();
    expect(source.lists).toBe(1);
    expect(source.watches).toBe(1);
    expect(store.environments().map((e) => e.name)).toEqual(['a']);
  });

  it('coalesces a burst of events into one re-list', async () => {
    const source = scriptedSource();
    const store = new EnvironmentStore(source, new RecordingLog(), 20);
    await store.ensureLoaded();
    source.answers.push([environment('b', 'stopped')]);
    for (let i = 0; i < 5; i++) source.emit!();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(source.lists).toBe(2);
    expect(store.find('b')?.state).toBe('stopped');
    store.dispose();
    await settle();
    expect(source.disposed).toBe(1);
  });

  it('reports a failed list and recovers on the next one', async () => {
    const source = scriptedSource();
    source.answers.push(new Error('Docker engine not reachable'), [environment('a')]);
    const log = new RecordingLog();
    const store = new EnvironmentStore(source, log, 1);
    const states: string[] = [];
    store.onDidChange((state) => states.push(state.kind));
    await store.ensureLoaded();
    expect(store.current()).toEqual({ kind: 'failed', message: 'Docker engine not reachable' });
    await store.refresh();
    expect(states).toEqual(['loading', 'failed', 'loading', 'ready']);
    expect(log.lines).toContain('warn listing environments failed: Docker engine not reachable');
  });

  it('runs a refresh asked for during a load once more, without overlapping', async () => {
    const source = scriptedSource();
    let release: () => void = () => {};
    let concurrent = 0;
    let maxConcurrent = 0;
    source.list = async () => {
      source.lists++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise<void>((resolve) => (release = resolve));
      concurrent--;
      return [];
    };
    const store = new EnvironmentStore(source, new RecordingLog(), 1);
    const first = store.ensureLoaded();
    void store.refresh();
    void store.refresh();
    release();
    await settle();
    release();
    await first;
    await settle();
    expect(source.lists).toBe(2);
    expect(maxConcurrent).toBe(1);
  });
});
