import { describe, expect, it } from 'vitest';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import { autoStartOnFirstList } from '../../src/vscode/auto-start';
import { EnvironmentStore, type StoreSource } from '../../src/vscode/environment-store';
import { formatOnly } from '../../src/vscode/l10n';
import { UpProgressModel } from '../../src/vscode/progress/up-progress';
import { EnvironmentStatusBar } from '../../src/vscode/status-bar';
import { environmentNodeModel, escapeMarkdown, nodeModel, treeChildren } from '../../src/vscode/views/environment-node';
import { environment, FakeStatusBar, fakeServices, RecordingLog, settle } from './vscode-fakes';

describe('environment rows', () => {
  it.each([
    ['running', 'environment.running', 'vm-running'],
    ['stopped', 'environment.stopped', 'vm-outline'],
    ['creating', 'environment.creating', 'loading~spin'],
    ['error', 'environment.error', 'error'],
  ] as const)('%s: context value, description and icon', (state, contextValue, icon) => {
    const model = environmentNodeModel(environment('exp', state), formatOnly);
    expect(model).toMatchObject({ id: 'environment:exp', label: 'exp', description: state, contextValue, icon: { id: icon } });
  });

  it('tooltip names the engine, image, GPUs, SSH port and workspace', () => {
    const tooltip = environmentNodeModel(environment('exp', 'running', { gpus: '0,1', workspace: '/home/u/proj' }), formatOnly).tooltip;
    expect(tooltip).toContain('**Engine:** unix:///var/run/docker.sock');
    expect(tooltip).toContain('**Image:** gpu-env/pytorch-cuda:test');
    expect(tooltip).toContain('**GPUs:** 0,1');
    expect(tooltip).toContain('**SSH port:** 127.0.0.1:32768');
    expect(tooltip).toContain('**Workspace:** /home/u/proj');
    expect(environmentNodeModel(environment('exp', 'stopped'), formatOnly).tooltip).toContain('**SSH port:** not published (stopped)');
  });

  it('escapes label values, which anyone with engine access can set', () => {
    expect(escapeMarkdown('[x](command:evil)')).toBe('\\[x\\]\\(command:evil\\)');
    const tooltip = environmentNodeModel(environment('exp', 'running', { workspace: '[click](command:gpuEnv.remove)' }), formatOnly).tooltip;
    expect(tooltip).not.toContain('[click](command:');
  });

  it('shows the environments, nothing (welcome) when there are none, and a doctor row when the engine fails', () => {
    expect(treeChildren({ kind: 'ready', environments: [environment('a')] }, formatOnly)).toEqual([{ kind: 'environment', info: environment('a') }]);
    expect(treeChildren({ kind: 'ready', environments: [] }, formatOnly)).toEqual([]);
    const [row] = treeChildren({ kind: 'failed', message: 'Docker engine not reachable at unix:///x' }, formatOnly);
    expect(nodeModel(row!, formatOnly)).toMatchObject({ label: 'Docker engine not reachable', command: { id: 'gpuEnv.runDoctor' } });
    const [other] = treeChildren({ kind: 'failed', message: "Cannot find module '/x/dist/core.js'" }, formatOnly);
    expect(nodeModel(other!, formatOnly)).toMatchObject({ label: 'Cannot list environments', tooltip: expect.stringContaining('core.js') });
    expect(nodeModel(row!, formatOnly).contextValue).toBeUndefined();
  });
});

/** A source whose list answers are queued by the test, counting calls. */
function scriptedSource(): StoreSource & { lists: number; watches: number; answers: Array<EnvironmentInfo[] | Error>; emit?: () => void; disposed: number } {
  const source = {
    lists: 0,
    watches: 0,
    disposed: 0,
    answers: [] as Array<EnvironmentInfo[] | Error>,
    emit: undefined as (() => void) | undefined,
    async list() {
      source.lists++;
      const answer = source.answers.shift() ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async watch(onChange: () => void) {
      source.watches++;
      source.emit = onChange;
      return { dispose: () => void source.disposed++ };
    },
  };
  return source;
}

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

describe('status bar', () => {
  it('follows the shown environment and the configured one', async () => {
    const source = scriptedSource();
    const store = new EnvironmentStore(source, new RecordingLog(), 1);
    const port = new FakeStatusBar();
    const bar = new EnvironmentStatusBar(port, store, formatOnly, () => 'mine');
    source.answers.push([environment('mine'), environment('other')]);
    await store.ensureLoaded();
    expect(port.shown?.text).toBe('GPU: mine');
    bar.showEnvironment(environment('other'));
    source.answers.push([environment('mine'), environment('other', 'stopped')]);
    await store.refresh();
    expect(port.shown?.text).toBe('GPU: mine');
    source.answers.push([environment('mine', 'stopped')]);
    await store.refresh();
    expect(port.shown).toBeUndefined();
    expect(bar.current()).toBeUndefined();
  });
});

describe('gpuEnv.autoStart', () => {
  const ready = (environments: EnvironmentInfo[]) => ({ kind: 'ready' as const, environments });

  it('starts the configured environment once, on the first list, when it is not running', () => {
    const services = fakeServices({ settings: { autoStart: true, environmentName: 'exp' } });
    services.host.folders = ['/w'];
    let starts = 0;
    const onState = autoStartOnFirstList(services, async () => void starts++);
    onState({ kind: 'loading' });
    onState(ready([environment('exp', 'stopped')]));
    onState(ready([environment('exp', 'stopped')]));
    expect(starts).toBe(1);
  });

  it.each([
    ['off', { autoStart: false }, true, ['/w'], []],
    ['untrusted', { autoStart: true }, false, ['/w'], []],
    ['no folder', { autoStart: true }, true, [], []],
    ['already running', { autoStart: true }, true, ['/w'], [environment('default')]],
  ])('does nothing when %s', (_case, settings, trusted, folders, environments) => {
    const services = fakeServices({ settings });
    services.host.trusted = trusted;
    services.host.folders = folders;
    let starts = 0;
    autoStartOnFirstList(services, async () => void starts++)(ready(environments));
    expect(starts).toBe(0);
  });
});

describe('start progress', () => {
  const MB = 1024 * 1024;

  it('moves the bar forward only, by step and by pulled bytes', () => {
    let now = 0;
    const model = new UpProgressModel(formatOnly, () => now, 100);
    const updates = [
      model.update({ kind: 'step', step: 'engine', message: 'x' }),
      model.update({ kind: 'step', step: 'pull', message: 'x' }),
      model.update({ kind: 'layers', image: 'i', currentBytes: 50 * MB, totalBytes: 100 * MB, layersDone: 1, layers: 3 }),
    ];
    now = 50;
    updates.push(model.update({ kind: 'layers', image: 'i', currentBytes: 60 * MB, totalBytes: 100 * MB, layersDone: 1, layers: 3 }));
    now = 200;
    updates.push(model.update({ kind: 'layers', image: 'i', currentBytes: 100 * MB, totalBytes: 100 * MB, layersDone: 3, layers: 3 }));
    updates.push(model.update({ kind: 'step', step: 'build', message: 'x' }));
    updates.push(model.update({ kind: 'step', step: 'ssh', message: 'x' }));
    updates.push(model.update({ kind: 'step', step: 'start', message: 'x' }));
    expect(updates).toEqual([
      { message: 'Resolving Docker engine' },
      { message: 'Pulling image', increment: 5 },
      { message: 'Pulling image: 50.0 of 100.0 MB, 1 of 3 layers', increment: 27.5 },
      undefined,
      { message: 'Pulling image: 100.0 of 100.0 MB, 3 of 3 layers', increment: 27.5 },
      { message: 'Building image' },
      { message: 'Waiting for SSH', increment: 30 },
      { message: 'Starting container' },
    ]);
  });

  it('shows build lines, shortened and throttled, and ignores other logs', () => {
    let now = 0;
    const model = new UpProgressModel(formatOnly, () => now, 100);
    const long = `Step 3/9 : RUN ${'x'.repeat(200)}`;
    expect(model.update({ kind: 'log', step: 'build', line: long })?.message).toMatch(/^Building image: Step 3\/9 : RUN x+…$/);
    expect(model.update({ kind: 'log', step: 'build', line: 'next' })).toBeUndefined();
    now = 500;
    expect(model.update({ kind: 'log', step: 'pull', line: 'pull noise' })).toBeUndefined();
    expect(model.update({ kind: 'warning', message: 'w' })).toBeUndefined();
  });
});
