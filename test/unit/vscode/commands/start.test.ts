import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../../../src/core/lifecycle/context';
import type { UpRequest } from '../../../../src/core/lifecycle/request';
import type { UpResult } from '../../../../src/core/lifecycle/up';
import { CancelledError } from '../../../../src/core/util/abort';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { startCommand } from '../../../../src/vscode/commands/start';
import { environment, fakeCore, fakeServices, settle } from '../../../support/extension-fakes';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function userFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-vscode-start-'));
  dirs.push(dir);
  if (process.getuid?.() === 0) chownSync(dir, 1234, 1234);
  return dir;
}

function upRecording(result: (request: UpRequest) => UpResult) {
  const seen: Array<{ request: UpRequest; ctx: CoreContext }> = [];
  const up = async (request: UpRequest, ctx: CoreContext): Promise<UpResult> => {
    seen.push({ request, ctx });
    ctx.progress({ kind: 'step', step: 'engine', message: 'Resolving Docker engine' });
    ctx.progress({ kind: 'step', step: 'pull', message: 'Pulling base' });
    ctx.progress({ kind: 'layers', image: 'base', currentBytes: 50 * 1024 * 1024, totalBytes: 100 * 1024 * 1024, layersDone: 1, layers: 2 });
    ctx.progress({ kind: 'step', step: 'ssh', message: 'Waiting for SSH' });
    return result(request);
  };
  return { up, seen };
}

describe('Start GPU Environment', () => {
  it('refuses in an untrusted workspace, naming the command, and creates nothing', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    services.ui.trusted = false;
    services.ui.folders = [userFolder()];
    await runCommand(services, startCommand, []);
    expect(services.ui.texts('error')).toEqual([
      '"Start GPU Environment" requires a trusted workspace: this workspace\'s settings choose the Docker engine, the image and the folder to mount. Nothing was started.',
    ]);
    expect(services.ui.messages[0]!.actions).toEqual(['Manage Workspace Trust']);
    expect(core.calls).toEqual([]);
    expect(services.coreLoads).toBe(0);
  });

  it('reports an invalid setting by name before any engine call', async () => {
    const core = fakeCore();
    const services = fakeServices({ core, settings: { memory: 'lots' } });
    services.ui.folders = [userFolder()];
    await runCommand(services, startCommand, []);
    expect(services.ui.texts('error')).toEqual([
      'Start GPU Environment: gpuEnv.memory: "lots" is not a size; use a positive number with a unit b, k, m, g or t, e.g. 512m or 16g',
    ]);
    expect(core.calls).toEqual([]);
  });

  it('starts with progress, shows the status bar item and offers the terminal', async () => {
    const folder = userFolder();
    const { up, seen } = upRecording((request) => ({ info: environment(request.name), action: 'created', warnings: ['no GPU runtime: CPU only'] }));
    const services = fakeServices({ core: fakeCore({ up }), settings: { environmentName: 'exp', engineHost: 'unix:///tmp/gdt/docker.sock' }, stateDir: '/tmp/state-x' });
    services.ui.folders = [folder];
    services.ui.respond = (m) => (m.message === 'GPU environment "exp" is running.' ? 'Open Terminal' : undefined);
    await runCommand(services, startCommand, []);
    await settle();

    expect(seen).toHaveLength(1);
    expect(seen[0]!.request).toMatchObject({ name: 'exp', workspace: folder });
    expect(seen[0]!.ctx).toMatchObject({ stateDir: '/tmp/state-x', host: { url: 'unix:///tmp/gdt/docker.sock', source: 'setting' } });
    expect(seen[0]!.ctx.signal).toBeInstanceOf(AbortSignal);
    expect(services.ui.progressTitles).toEqual(['Starting GPU environment "exp"']);
    expect(services.ui.progressUpdates.map((u) => u.message)).toEqual([
      'Resolving Docker engine', 'Pulling image', 'Pulling image: 50.0 of 100.0 MB, 1 of 2 layers', 'Waiting for SSH',
    ]);
    expect(services.ui.statusBar.shown).toMatchObject({ text: 'GPU: exp', command: { id: 'gpuEnv.showEnvironmentActions', args: ['exp'] } });
    expect(services.ui.texts('warning')).toEqual(['no GPU runtime: CPU only']);
    expect(services.ui.messages.find((m) => m.message === 'GPU environment "exp" is running.')!.actions).toEqual(['Open Terminal', 'Attach VS Code']);
    expect(services.ui.commands).toEqual([{ id: 'gpuEnv.openTerminal', args: ['exp'] }]);
    expect(services.log.lines).toContain('info Resolving Docker engine');
  });

  it('starts the environment of a tree item with its own name and folder', async () => {
    const folder = userFolder();
    const { up, seen } = upRecording((request) => ({ info: environment(request.name), action: 'started', warnings: [] }));
    const services = fakeServices({ core: fakeCore({ up }) });
    await runCommand(services, startCommand, [{ kind: 'environment', info: environment('old', 'stopped', { workspace: folder }) }]);
    expect(seen[0]!.request).toMatchObject({ name: 'old', workspace: folder });
  });

  it('passes the cancellation to the core and shows no error when cancelled', async () => {
    const folder = userFolder();
    let signal: AbortSignal | undefined;
    const up = async (_request: UpRequest, ctx: CoreContext): Promise<UpResult> => {
      signal = ctx.signal;
      throw new CancelledError('start');
    };
    const services = fakeServices({ core: fakeCore({ up }) });
    services.ui.folders = [folder];
    services.ui.cancelProgress = true;
    await runCommand(services, startCommand, []);
    expect(signal?.aborted).toBe(true);
    expect(services.ui.texts('error')).toEqual([]);
    expect(services.ui.statusBar.shown).toBeUndefined();
  });

  it('shows a failure with the option to open the log', async () => {
    const folder = userFolder();
    const up = async (): Promise<UpResult> => {
      throw new Error('Docker engine not reachable at unix:///nowhere');
    };
    const services = fakeServices({ core: fakeCore({ up }) });
    services.ui.folders = [folder];
    services.ui.respond = (m) => (m.kind === 'error' ? 'Show Log' : undefined);
    await runCommand(services, startCommand, []);
    expect(services.ui.texts('error')).toEqual(['Start GPU Environment failed: Docker engine not reachable at unix:///nowhere']);
    expect(services.log.shown).toBe(1);
    expect(services.log.lines).toContain('error Start GPU Environment failed: Docker engine not reachable at unix:///nowhere');
  });
});
