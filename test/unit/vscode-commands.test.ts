import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/core/doctor/types';
import { usageError } from '../../src/core/errors';
import type { CoreContext } from '../../src/core/lifecycle/context';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import { INCLUDE_ANSWER_KEY, REMOTE_SSH_EXTENSION } from '../../src/vscode/attach/remote-ssh';
import { attachCommand } from '../../src/vscode/commands/attach';
import { copySshCommand, sshCommandFor } from '../../src/vscode/commands/copy-ssh-command';
import { actionsFor, environmentActionsCommand } from '../../src/vscode/commands/environment-actions';
import { openTerminalCommand } from '../../src/vscode/commands/open-terminal';
import { removeCommand } from '../../src/vscode/commands/remove';
import { runCommand } from '../../src/vscode/commands/run-command';
import { runDoctorCommand } from '../../src/vscode/commands/run-doctor';
import { showLogsCommand } from '../../src/vscode/commands/show-logs';
import { stopCommand } from '../../src/vscode/commands/stop';
import { formatOnly } from '../../src/vscode/l10n';
import { environment, fakeCore, fakeServices, settle } from './vscode-fakes';

const node = (info: EnvironmentInfo) => ({ kind: 'environment' as const, info });

describe('choosing the environment', () => {
  it('says there is none and offers to start one', async () => {
    const services = fakeServices({ core: fakeCore({ list: async () => [] }) });
    services.host.respond = (m) => m.actions[0];
    await runCommand(services, showLogsCommand, []);
    expect(services.host.texts('info')).toEqual(['There is no GPU environment yet.']);
    expect(services.host.commands).toEqual([{ id: 'gpuEnv.start', args: [] }]);
  });

  it('says none is running when stopping with only stopped ones', async () => {
    const services = fakeServices({ core: fakeCore({ list: async () => [environment('a', 'stopped')] }) });
    await runCommand(services, stopCommand, []);
    expect(services.host.texts('info')).toEqual(['No GPU environment is running.']);
  });

  it('takes the only candidate without asking', async () => {
    const down = async (name: string) => environment(name, 'stopped');
    const core = fakeCore({ list: async () => [environment('a', 'stopped'), environment('b')], down });
    const services = fakeServices({ core });
    await runCommand(services, stopCommand, []);
    // The last list is the store catching up, for the view and the status bar.
    expect(core.calls).toEqual(['list', 'down', 'list']);
    expect(services.host.lastPickItems).toEqual([]);
  });

  it('asks with a quick pick when there are several, the configured one first', async () => {
    const stopped: string[] = [];
    const core = fakeCore({
      list: async () => [environment('a'), environment('mine'), environment('z')],
      down: async (name: string) => {
        stopped.push(name);
        return environment(name, 'stopped');
      },
    });
    const services = fakeServices({ core, settings: { environmentName: 'mine' } });
    services.host.pickWith = (items) => items[2]!.value;
    await runCommand(services, stopCommand, []);
    expect(services.host.lastPickItems.map((i) => [i.label, i.description])).toEqual([['mine', 'running'], ['a', 'running'], ['z', 'running']]);
    expect(stopped).toEqual(['z']);
  });

  it('does nothing when the pick is dismissed', async () => {
    const core = fakeCore({ list: async () => [environment('a'), environment('b')] });
    const services = fakeServices({ core });
    await runCommand(services, stopCommand, []);
    expect(core.calls).toEqual(['list']);
    expect(services.host.messages).toEqual([]);
  });

  it('looks a name argument up, and rejects an invalid one by what was wrong', async () => {
    const core = fakeCore({ status: async (name: string) => environment(name, 'stopped'), logs: async () => 'hello\n' });
    const services = fakeServices({ core });
    await runCommand(services, showLogsCommand, ['exp']);
    expect(core.calls).toEqual(['status', 'logs']);
    await runCommand(services, showLogsCommand, ['Bad Name!']);
    expect(services.host.texts('error')).toEqual([
      'Show GPU Environment Logs: environment name: "Bad Name!" is not a valid name; use lower-case letters, digits, \'_\', \'.\', \'-\', starting with a letter or digit, at most 48 characters',
    ]);
  });
});

describe('Stop GPU Environment', () => {
  it('stops the tree item\'s environment and hides its status bar item', async () => {
    const core = fakeCore({ down: async (name: string) => environment(name, 'stopped') });
    const services = fakeServices({ core });
    services.statusBar.showEnvironment(environment('exp'));
    await runCommand(services, stopCommand, [node(environment('exp'))]);
    expect(core.calls).toEqual(['down', 'list']);
    expect(services.host.progressTitles).toEqual(['Stopping GPU environment "exp"']);
    expect(services.host.statusBar.shown).toBeUndefined();
  });
});

describe('Remove GPU Environment', () => {
  it('asks first and removes nothing when the dialog is dismissed', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    await runCommand(services, removeCommand, [node(environment('exp'))]);
    expect(services.host.messages[0]).toMatchObject({ kind: 'modal', message: 'Remove GPU environment "exp"?', actions: ['Remove', 'Remove and Delete Keys and Runs'] });
    expect(services.host.messages[0]!.detail).toContain('/home/user/exp');
    expect(core.calls).toEqual([]);
  });

  it.each([['Remove', false], ['Remove and Delete Keys and Runs', true]])('%s → purge %s', async (answer, purge) => {
    const seen: Array<{ purge: boolean }> = [];
    const core = fakeCore({
      remove: async (_name: string, options: { purge: boolean }) => {
        seen.push(options);
        return { removedContainer: true, purged: [] };
      },
    });
    const services = fakeServices({ core });
    services.host.respond = (m) => (m.kind === 'modal' ? answer : undefined);
    await runCommand(services, removeCommand, [node(environment('exp'))]);
    expect(seen).toEqual([{ purge }]);
  });
});

describe('Copy SSH Command', () => {
  it('copies an ssh command that uses the product\'s config, quoted for the shell', async () => {
    const services = fakeServices({ stateDir: "/home/u/Library/Application Support/gpu env's" });
    await runCommand(services, copySshCommand, [node(environment('exp'))]);
    expect(services.host.clipboard).toBe(`ssh -F '/home/u/Library/Application Support/gpu env'\\''s/ssh_config' gpu-env-exp`);
    expect(services.host.texts('info')[0]).toMatch(/^Copied: ssh -F/);
  });

  it('leaves a plain path unquoted and notes a stopped environment', async () => {
    expect(sshCommandFor('/tmp/state', 'gpu-env-a')).toBe('ssh -F /tmp/state/ssh_config gpu-env-a');
    const services = fakeServices({ stateDir: '/tmp/state' });
    await runCommand(services, copySshCommand, [node(environment('a', 'stopped'))]);
    expect(services.host.texts('info')).toEqual(['Copied: ssh -F /tmp/state/ssh_config gpu-env-a (start the environment before connecting)']);
  });
});

describe('Show GPU Environment Logs', () => {
  it('shows the container output under a header', async () => {
    const tails: number[] = [];
    const core = fakeCore({
      logs: async (_name: string, options: { tail: number }) => {
        tails.push(options.tail);
        return 'sshd: listening\n';
      },
    });
    const services = fakeServices({ core });
    await runCommand(services, showLogsCommand, [node(environment('exp'))]);
    expect(tails).toEqual([2000]);
    expect(services.host.containerLogs).toEqual(['Container gpu-env-exp (running), last 2000 lines of its output:\n\nsshd: listening\n']);
  });
});

describe('Attach VS Code to GPU Environment', () => {
  it('without Remote - SSH says what to install and offers the terminal', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    services.host.respond = (m) => (m.kind === 'warning' ? 'Open Terminal' : undefined);
    const item = node(environment('exp'));
    await runCommand(services, attachCommand, [item]);
    expect(services.host.texts('warning')[0]).toContain(REMOTE_SSH_EXTENSION);
    expect(services.host.messages[0]!.actions).toEqual(['Install Remote - SSH', 'Open Terminal']);
    expect(services.host.commands).toEqual([{ id: 'gpuEnv.openTerminal', args: [item] }]);
    expect(services.host.remoteFolders).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it('opens the extension page when asked to install', async () => {
    const services = fakeServices();
    services.host.respond = (m) => (m.kind === 'warning' ? 'Install Remote - SSH' : undefined);
    await runCommand(services, attachCommand, []);
    expect(services.host.commands).toEqual([{ id: 'workbench.extensions.search', args: [`@id:${REMOTE_SSH_EXTENSION}`] }]);
  });

  it('asks before adding the Include line, and opens the remote folder after a yes', async () => {
    const added: Array<[string, string]> = [];
    const core = fakeCore({
      userSshIncludePresent: () => false,
      ensureUserSshInclude: (home: string, state: string) => {
        added.push([home, state]);
        return 'added';
      },
    });
    const services = fakeServices({ core, homeDir: '/home/u', stateDir: '/home/u/.state' });
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    services.host.respond = (m) => (m.kind === 'modal' ? 'Add Include Line' : undefined);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    const modal = services.host.messages.find((m) => m.kind === 'modal')!;
    expect(modal.detail).toContain('Include /home/u/.state/ssh_config');
    expect(modal.detail).toContain('/home/u/.ssh/config');
    expect(added).toEqual([['/home/u', '/home/u/.state']]);
    expect(services.host.globalState.get(INCLUDE_ANSWER_KEY)).toBe('added');
    expect(services.host.remoteFolders).toEqual(['vscode-remote://ssh-remote+gpu-env-exp/workspace']);
  });

  it('remembers a no: the file is not touched and the user is not asked again', async () => {
    const core = fakeCore({ userSshIncludePresent: () => false });
    const services = fakeServices({ core });
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    services.host.respond = (m) => (m.kind === 'modal' ? 'Don\'t Add' : undefined);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    expect(services.host.messages.filter((m) => m.kind === 'modal')).toHaveLength(1);
    expect(services.host.texts('warning')).toHaveLength(2);
    expect(services.host.texts('warning')[0]).toContain('Include /state/ssh_config');
    expect(core.calls).not.toContain('ensureUserSshInclude');
    expect(services.host.remoteFolders).toEqual([]);
  });

  it('does not remember a dismissed dialog', async () => {
    const services = fakeServices({ core: fakeCore({ userSshIncludePresent: () => false }) });
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    expect(services.host.globalState.get(INCLUDE_ANSWER_KEY)).toBeUndefined();
    expect(services.host.remoteFolders).toEqual([]);
  });

  it('asks nothing when the Include is already there', async () => {
    const services = fakeServices({ core: fakeCore({ userSshIncludePresent: () => true }) });
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    expect(services.host.messages).toEqual([]);
    expect(services.host.remoteFolders).toEqual(['vscode-remote://ssh-remote+gpu-env-exp/workspace']);
  });

  it('offers to start a stopped environment first, and does nothing on no', async () => {
    const core = fakeCore({ userSshIncludePresent: () => true });
    const services = fakeServices({ core });
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [node(environment('exp', 'stopped'))]);
    expect(services.host.texts('info')).toEqual(['GPU environment "exp" is not running. Start it?']);
    expect(services.host.remoteFolders).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it('refuses in an untrusted workspace', async () => {
    const services = fakeServices();
    services.host.trusted = false;
    services.host.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [node(environment('exp'))]);
    expect(services.host.texts('error')[0]).toMatch(/^"Attach VS Code to GPU Environment" requires a trusted workspace/);
    expect(services.host.remoteFolders).toEqual([]);
  });
});

describe('Open Terminal in GPU Environment', () => {
  it('opens an SSH terminal named after the environment', async () => {
    const services = fakeServices();
    await runCommand(services, openTerminalCommand, [node(environment('exp'))]);
    expect(services.host.terminals.map((t) => t.name)).toEqual(['GPU: exp']);
  });

  it('refuses in an untrusted workspace and opens nothing', async () => {
    const services = fakeServices();
    services.host.trusted = false;
    await runCommand(services, openTerminalCommand, [node(environment('exp'))]);
    expect(services.host.texts('error')[0]).toMatch(/^"Open Terminal in GPU Environment" requires a trusted workspace/);
    expect(services.host.terminals).toEqual([]);
  });
});

describe('Run GPU Doctor', () => {
  const report: DoctorReport = {
    startedAt: '2026-01-01T00:00:00Z', durationMs: 5, environments: [], checks: [], summary: { ok: 2, warn: 1, fail: 0, skip: 0 }, ok: true,
  };

  it('runs the core doctor and previews its markdown', async () => {
    const asked: unknown[] = [];
    const core = fakeCore({
      runDoctor: async (_ctx: CoreContext, options) => {
        asked.push(options);
        return report;
      },
      renderDoctorMarkdown: () => '# GPU Doctor\n\nall good',
    });
    const services = fakeServices({ core });
    await runCommand(services, runDoctorCommand, []);
    await runCommand(services, runDoctorCommand, [node(environment('exp'))]);
    expect(asked).toEqual([{}, { environments: ['exp'] }]);
    expect(services.host.previews).toEqual(['# GPU Doctor\n\nall good', '# GPU Doctor\n\nall good']);
  });

  it('refuses in an untrusted workspace', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    services.host.trusted = false;
    await runCommand(services, runDoctorCommand, []);
    expect(core.calls).toEqual([]);
    expect(services.host.previews).toEqual([]);
  });
});

describe('environment actions (status bar)', () => {
  it('offers the actions that fit the state', () => {
    expect(actionsFor(environment('a'), formatOnly).map((i) => i.value.id)).toEqual([
      'gpuEnv.openTerminal', 'gpuEnv.attach', 'gpuEnv.copySshCommand', 'gpuEnv.showLogs', 'gpuEnv.stop', 'gpuEnv.remove',
    ]);
    expect(actionsFor(environment('a', 'stopped'), formatOnly).map((i) => i.value.id)).toEqual(['gpuEnv.start', 'gpuEnv.showLogs', 'gpuEnv.copySshCommand', 'gpuEnv.remove']);
  });

  it('runs the picked action on the environment', async () => {
    const services = fakeServices({ core: fakeCore({ status: async (name: string) => environment(name) }) });
    services.host.pickWith = (items) => items[4]!.value;
    await runCommand(services, environmentActionsCommand, ['exp']);
    await settle();
    expect(services.host.commands).toEqual([{ id: 'gpuEnv.stop', args: ['exp'] }]);
  });
});

describe('runCommand', () => {
  it('shows a usage error as is, without the log button', async () => {
    const services = fakeServices();
    await runCommand(services, { id: 'gpuEnv.test', title: () => 'Test', run: async () => { throw usageError('gpuEnv.cpus: "x" is not a CPU count'); } }, []);
    expect(services.host.messages).toEqual([{ kind: 'error', message: 'Test: gpuEnv.cpus: "x" is not a CPU count', actions: [] }]);
  });
});
