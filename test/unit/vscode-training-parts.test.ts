import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFeed } from '../../src/core/metrics/dashboard-feed';
import type { FileChunk } from '../../src/core/runs/remote-file';
import type { ExecResult, SshSession } from '../../src/core/ssh/session';
import { scriptArgv, startScriptRun, validateScriptPath } from '../../src/core/scripts/script-run';
import { mainGuardLines } from '../../src/vscode/codelens/main-guard';
import { DashboardController } from '../../src/vscode/dashboard/dashboard-controller';
import { MetricsFollowers } from '../../src/vscode/dashboard/metrics-followers';
import { formatOnly } from '../../src/vscode/l10n';
import { followRunLog, type RunLogSource } from '../../src/vscode/runs/follow-run-log';
import { containerPathOf, fileArgument } from '../../src/vscode/runs/script-target';
import { CHOICES_KEY, DEFAULT_CHOICES, readChoices } from '../../src/vscode/runs/train-choices';
import { parseTaskDefinition, TrainTaskTerminal } from '../../src/vscode/tasks/train-task';
import { ASSETS, FakeRuns, idleSession, listing } from './vscode-runs-fakes';
import { environment, fakeCore, fakeServices, MemoryStore, RecordingLog, settle } from './vscode-fakes';
import { LocalSession, waitFor } from './metrics-local-session';

const ID = '20260101-100000-aaaa';

describe('following a run\'s log', () => {
  function source(chunks: FileChunk[], states: Array<'running' | 'succeeded'>): RunLogSource & { reads: number[] } {
    const reads: number[] = [];
    return {
      reads,
      readLog: async (offset) => {
        reads.push(offset);
        return chunks.shift() ?? { kind: 'data', offset, data: Buffer.alloc(0), nextOffset: offset, size: offset };
      },
      status: async () => listing(ID, { state: states.shift() ?? 'succeeded' }),
    };
  }
  const data = (offset: number, bytes: Buffer): FileChunk => ({ kind: 'data', offset, data: bytes, nextOffset: offset + bytes.length, size: offset + bytes.length });

  it('streams from the start, decodes characters cut between chunks, and ends after the run with its last lines', async () => {
    const text = Buffer.from('loss 0.41 — ok\n');
    const cut = text.indexOf(0xe2) + 1;
    const src = source([data(0, text.subarray(0, cut)), data(cut, text.subarray(cut)), { kind: 'missing' }, { kind: 'missing' }, data(text.length, Buffer.from('done\n'))], ['running']);
    let out = '';
    const end = await followRunLog(src, { write: (t) => void (out += t), signal: new AbortController().signal, sleep: async () => undefined });
    expect(out).toBe('loss 0.41 — ok\ndone\n');
    expect(end).toMatchObject({ kind: 'ended', state: 'succeeded' });
    expect(src.reads.slice(0, 3)).toEqual([0, cut, text.length]);
  });

  it('starts over when the file was replaced, and stops when aborted', async () => {
    const controller = new AbortController();
    const src = source([data(0, Buffer.from('abc')), { kind: 'reset', size: 1 }], ['running', 'running']);
    const end = await followRunLog(src, { write: () => undefined, signal: controller.signal, sleep: async () => controller.abort() });
    expect(src.reads).toEqual([0, 3, 0]);
    expect(end).toEqual({ kind: 'aborted' });
  });

  it('gives up after repeated failures, and stops at a run that no longer exists', async () => {
    const failing: RunLogSource = { readLog: () => Promise.reject(new Error('channel closed')), status: async () => null };
    const errors: string[] = [];
    expect(await followRunLog(failing, { write: () => undefined, signal: new AbortController().signal, sleep: async () => undefined, maxFailures: 2, onError: (m) => void errors.push(m) })).toEqual({ kind: 'gave-up', reason: 'channel closed' });
    expect(errors).toHaveLength(3);
    const gone: RunLogSource = { readLog: async () => ({ kind: 'missing' }), status: async () => null };
    expect(await followRunLog(gone, { write: () => undefined, signal: new AbortController().signal, sleep: async () => undefined })).toEqual({ kind: 'missing' });
  });
});

describe('gpu-env tasks', () => {
  it('check the definition and name every problem', () => {
    expect(parseTaskDefinition({ type: 'gpu-env', dataset: 'mnist', epochs: 1 })).toEqual({ ok: true, environment: undefined, options: { dataset: 'mnist', epochs: 1 } });
    const bad = parseTaskDefinition({ type: 'gpu-env', environment: 'Bad Name', template: 'vgg', epochs: 0 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      expect.stringMatching(/^environment: "Bad Name" is not a valid name/),
      expect.stringMatching(/^template must be one of cnn, resnet/),
      expect.stringMatching(/^epochs must be a whole number/),
    ]);
  });

  function taskServices(state: 'running' | 'stopped' = 'running') {
    const runs = new FakeRuns();
    const core = fakeCore({ status: async (name: string) => environment(name, state), openSession: async () => idleSession(), runs: () => runs, shippedAssets: () => ASSETS, list: async () => [environment('exp', state)] });
    return { services: fakeServices({ core, settings: { environmentName: 'exp' } }), runs };
  }

  async function runTask(terminal: TrainTaskTerminal): Promise<{ output: string; code: number | void }> {
    let output = '';
    const closed = new Promise<number | void>((resolve) => terminal.onDidClose(resolve));
    terminal.onDidWrite((text) => void (output += text));
    terminal.open(undefined);
    const code = await closed;
    return { output, code };
  }

  it('start the run, show its log until it ends, and exit 0 when it succeeded', async () => {
    const { services, runs } = taskServices();
    runs.runs = [listing(runs.nextId, { state: 'succeeded' })];
    runs.log = 'epoch 1/1 test accuracy 0.87\n';
    const { output, code } = await runTask(new TrainTaskTerminal(services, { type: 'gpu-env', dataset: 'fashion-mnist', epochs: 1 }));
    expect(runs.started[0]).toEqual({ options: { dataset: 'fashion-mnist', epochs: 1 }, extra: expect.objectContaining({ environment: 'exp' }) });
    expect(output).toContain('epoch 1/1 test accuracy 0.87\r\n');
    expect(output).toContain(`Run ${runs.nextId} succeeded.`);
    expect(code).toBe(0);
    services.training.runs.dispose();
  });

  it('exit 1 for a failed run, an invalid definition, a stopped environment or an untrusted workspace', async () => {
    const failed = taskServices();
    failed.runs.runs = [listing(failed.runs.nextId, { state: 'failed' })];
    expect((await runTask(new TrainTaskTerminal(failed.services, { type: 'gpu-env' }))).code).toBe(1);
    failed.services.training.runs.dispose();
    const invalid = taskServices();
    const bad = await runTask(new TrainTaskTerminal(invalid.services, { type: 'gpu-env', epochs: 'many' }));
    expect(bad).toMatchObject({ code: 1, output: expect.stringContaining('The gpu-env task in tasks.json is not valid: epochs must be') });
    expect(invalid.runs.calls).toEqual([]);
    const stopped = taskServices('stopped');
    expect(await runTask(new TrainTaskTerminal(stopped.services, { type: 'gpu-env' }))).toMatchObject({ code: 1, output: expect.stringContaining('GPU environment "exp" is not running') });
    const untrusted = taskServices();
    untrusted.services.host.trusted = false;
    expect((await runTask(new TrainTaskTerminal(untrusted.services, { type: 'gpu-env' }))).code).toBe(1);
    expect(untrusted.services.coreLoads).toBe(0);
  });
});

describe('Train CNN inputs', () => {
  it('finds main guards in either quote style, not in strings or indented code', () => {
    const text = ['import x', 'if __name__ == "__main__":', '    main()', "if __name__=='__main__' :", '  if __name__ == "__main__":', 's = "if __name__ == \'__main__\':"', 'if "__main__" == __name__:'].join('\n');
    expect(mainGuardLines(text)).toEqual([1, 3, 6]);
    expect(mainGuardLines('if __name__ == "__main__"\r\nif __name__ == "__main__":\r\n')).toEqual([1]);
  });

  it('maps a file of the mounted folder into /workspace, and nothing else', () => {
    expect(containerPathOf('/home/u/proj/exp/train.py', '/home/u/proj', 'exp', formatOnly)).toBe('/workspace/exp/train.py');
    expect(() => containerPathOf('/home/u/projx/train.py', '/home/u/proj', 'exp', formatOnly)).toThrow(/is not inside \/home\/u\/proj/);
    expect(() => containerPathOf('/home/u/proj/notes.txt', '/home/u/proj', 'exp', formatOnly)).toThrow('not a Python file');
    expect(fileArgument({ scheme: 'file', fsPath: '/a/b.py' })).toBe('/a/b.py');
    expect(fileArgument({ scheme: 'untitled', fsPath: 'Untitled-1' })).toBeUndefined();
    expect(fileArgument('gpu-env')).toBeUndefined();
  });

  it('remembered choices are validated like input; anything odd falls back to the defaults', () => {
    const store = new MemoryStore();
    expect(readChoices(store)).toEqual(DEFAULT_CHOICES);
    void store.update(CHOICES_KEY, { template: 'resnet', dataset: 'cifar10', epochs: 3, batchSize: 64, extra: 'ignored' });
    expect(readChoices(store)).toEqual({ template: 'resnet', dataset: 'cifar10', epochs: 3, batchSize: 64 });
    void store.update(CHOICES_KEY, { template: 'resnet', epochs: -1 });
    expect(readChoices(store)).toEqual(DEFAULT_CHOICES);
    void store.update(CHOICES_KEY, 'garbage');
    expect(readChoices(store)).toEqual(DEFAULT_CHOICES);
  });
});

describe('running the user\'s own script', () => {
  it('accepts .py files under /workspace only', () => {
    expect(scriptArgv('/workspace/a b/train.py')).toEqual(['python3', '/workspace/a b/train.py']);
    for (const bad of ['/etc/passwd.py', '/workspace/../etc/x.py', '/workspace/x.sh', 'train.py', '/workspace/a\nb.py']) expect(() => validateScriptPath(bad), bad).toThrow(/is not a \.py file under \/workspace/);
  });

  it('installs the runner and starts the script detached, without auto-resume, labelled by its name', async () => {
    const commands: string[] = [];
    const session: SshSession = {
      closed: new Promise(() => undefined),
      close: () => undefined,
      spawn: () => Promise.reject(new Error('not used')),
      exec: async (command): Promise<ExecResult> => {
        commands.push(command);
        const stdout = command.includes(' start ') ? '{"state":"running","pid":7,"attempt":1}\n' : '';
        return { code: 0, signal: null, stdout, stderr: '' };
      },
    };
    const started = await startScriptRun(session, ASSETS, { script: '/workspace/exp/my train.py', environment: 'exp' }, undefined, () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(started.id).toMatch(/^20260102-030405-[0-9a-f]{4}$/);
    expect(started.status.state).toBe('running');
    const start = commands.find((c) => c.includes(' start '))!;
    expect(start).toContain(`--label 'my train.py' --environment exp -- python3 '/workspace/exp/my train.py'`);
    expect(start).not.toContain('--auto-resume');
    expect(commands[0]).toContain('/workspace/.gpu-env/runner/gpu_env_run.py');
  });
});

describe('dashboard metrics followers', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const line = (step: number): string => `{"v":1,"time":${1000 + step},"step":${step},"split":"train","loss":${1 / (step + 1)}}\n`;

  it('tails the shown runs over the environment\'s session, and continues without repeats when shown again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-env-followers-'));
    dirs.push(dir);
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, line(0) + line(1));
    const session = new LocalSession();
    const feed = new DashboardFeed();
    const ingested: number[] = [];
    let holds = 0;
    const followers = new MetricsFollowers({
      locate: (id) => (id === ID ? { environment: 'exp', path } : undefined),
      connect: async () => session,
      hold: () => {
        holds++;
        return { dispose: () => void holds-- };
      },
      feed: {
        ingest: (id, l) => {
          if (l.kind === 'point') ingested.push(l.step);
          feed.ingest(id, l);
        },
        resetRun: (id) => feed.resetRun(id),
      },
      log: new RecordingLog(),
    });
    followers.setRuns([ID, '20260101-000000-ffff']);
    expect(followers.followed()).toEqual([ID]); // the other is not listed yet
    await waitFor(() => ingested.length === 2, 'the first lines');
    expect(holds).toBe(1);
    followers.setRuns([]);
    await waitFor(() => holds === 0, 'the tail to stop');
    appendFileSync(path, line(2));
    followers.setRuns([ID]);
    await waitFor(() => ingested.length === 3, 'the new line');
    await settle();
    expect(ingested).toEqual([0, 1, 2]);
    followers.dispose();
    await waitFor(() => holds === 0, 'the tail to stop again');
    session.close();
  });
});

describe('dashboard selection', () => {
  it('tells the host which runs are shown, and none when the panel goes away', () => {
    const feed = new DashboardFeed();
    const seen: Array<readonly string[]> = [];
    const controller = new DashboardController({
      source: feed,
      port: { postMessage: async () => true, onDidReceiveMessage: () => ({ dispose: () => undefined }) },
      preferences: new MemoryStore(),
      exporter: { save: async () => undefined },
      visible: false,
      initialRuns: ['a'],
      onSelectionChange: (runs) => void seen.push(runs),
    });
    controller.selectRuns(['a']);
    controller.selectRuns(['a', 'b']);
    controller.dispose();
    expect(seen).toEqual([['a'], ['a', 'b'], []]);
  });
});
