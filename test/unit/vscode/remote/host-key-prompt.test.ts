import { describe, expect, it } from 'vitest';
import { localApi } from '../../../../src/core/local-api';
import type { CoreContext } from '../../../../src/core/lifecycle/context';
import type { HostKeyQuestion } from '../../../../src/core/remote/host-key-check';
import { HostKeyChangedError } from '../../../../src/core/remote/host-key-check';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { showLogsCommand } from '../../../../src/vscode/commands/show-logs';
import { coreContext } from '../../../../src/vscode/services';
import { environment, fakeCore, fakeServices } from '../../../support/extension-fakes';

const QUESTION: HostKeyQuestion = {
  host: 'me@gpu-box:2222',
  knownHostsName: '[gpu-box]:2222',
  keyType: 'ssh-ed25519',
  fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  knownHostsFile: '/home/user/.ssh/known_hosts',
  otherKnownTypes: [],
};

describe('remote host key modal', () => {
  it('every core context carries the prompt; "Trust and Connect" answers true, with host, type and fingerprint shown', async () => {
    const services = fakeServices();
    services.ui.respond = (m) => (m.kind === 'modal' ? 'Trust and Connect' : undefined);
    const ctx = coreContext(localApi, services);
    expect(ctx.confirmHostKey).toBeDefined();
    await expect(ctx.confirmHostKey!(QUESTION)).resolves.toBe(true);
    const [modal] = services.ui.messages;
    expect(modal).toMatchObject({ kind: 'modal', actions: ['Trust and Connect'] });
    expect(modal!.message).toContain('me@gpu-box:2222');
    expect(modal!.detail).toContain('ssh-ed25519');
    expect(modal!.detail).toContain(QUESTION.fingerprint);
  });

  it('dismissing the modal refuses the key', async () => {
    const services = fakeServices();
    await expect(coreContext(localApi, services).confirmHostKey!(QUESTION)).resolves.toBe(false);
    expect(services.log.lines.some((line) => line.startsWith('warn ') && line.includes('not trusted'))).toBe(true);
  });

  it('concurrent questions about the same key share one modal', async () => {
    const services = fakeServices();
    services.ui.respond = () => 'Trust and Connect';
    const ask = coreContext(localApi, services).confirmHostKey!;
    await expect(Promise.all([ask(QUESTION), ask(QUESTION)])).resolves.toEqual([true, true]);
    expect(services.ui.messages.filter((m) => m.kind === 'modal')).toHaveLength(1);
  });

  it('the answer flows into the core call a command makes', async () => {
    let seen: CoreContext | undefined;
    const core = fakeCore({
      status: async (name: string, ctx: CoreContext) => {
        seen = ctx;
        return environment(name);
      },
      logs: async (_name: string, _options: { tail: number }, ctx: CoreContext) => ((await ctx.confirmHostKey!(QUESTION)) ? 'trusted' : 'refused'),
    });
    const services = fakeServices({ core });
    services.ui.respond = (m) => (m.kind === 'modal' ? 'Trust and Connect' : undefined);
    await runCommand(services, showLogsCommand, ['a']);
    expect(seen?.confirmHostKey).toBe(services.confirmHostKey);
    expect(services.ui.containerLogs[0]).toMatch(/\btrusted$/);
  });

  it('a changed host key is shown as the core words it, as an error', async () => {
    const error = new HostKeyChangedError('me@gpu-box', '[gpu-box]:22', ['ssh-ed25519 SHA256:old'], 'ssh-ed25519 SHA256:new', '~/.ssh/known_hosts:3');
    const services = fakeServices({ core: fakeCore({ status: async () => { throw error; } }) });
    await runCommand(services, showLogsCommand, ['a']);
    expect(services.ui.texts('error')).toEqual([error.message]);
  });
});
