import { describe, expect, it } from 'vitest';
import type { JupyterTunnel } from '../../../../src/core/jupyter/jupyter-tunnel';
import type { TokenStore } from '../../../../src/core/jupyter/token';
import type { CoreContext } from '../../../../src/core/lifecycle/context';
import { JUPYTER_EXTENSION, openJupyterCommand } from '../../../../src/vscode/commands/open-jupyter';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { stopCommand } from '../../../../src/vscode/commands/stop';
import { environment, fakeCore, fakeServices, settle } from '../../../support/extension-fakes';

const TOKEN = 'ab'.repeat(32);

/** A core whose Jupyter "starts" by storing a token in the given store and forwarding port 41234. */
function jupyterCore(closed: string[], contexts: CoreContext[] = []) {
  return fakeCore({
    status: async (name: string) => environment(name),
    list: async () => [environment('exp')],
    down: async (name: string) => environment(name, 'stopped'),
    openJupyter: async (name: string, ctx: CoreContext, tokens: TokenStore, options) => {
      contexts.push(ctx);
      options?.onStep?.('Starting Jupyter Lab');
      await tokens.set(name, TOKEN);
      const token = (await tokens.get(name))!;
      const tunnel: JupyterTunnel = {
        server: { port: 8888, kind: 'lab', token, started: true },
        forward: { port: 41234, close: async () => undefined } as unknown as JupyterTunnel['forward'],
        url: `http://127.0.0.1:41234/lab?token=${token}`,
        close: async () => void closed.push(name),
      };
      return tunnel;
    },
  });
}

describe('Open Jupyter', () => {
  it('opens the external URL with path and token, keeps the token in SecretStorage, and never logs it', async () => {
    const contexts: CoreContext[] = [];
    const services = fakeServices({ core: jupyterCore([], contexts) });
    services.ui.externalize = (url) => url.replace('http://127.0.0.1:41234', 'https://41234.forwarded.example/');
    await runCommand(services, openJupyterCommand, ['exp']);
    // Only the bare origin went through asExternalUri: the token did not.
    expect(services.ui.externalUriCalls).toEqual(['http://127.0.0.1:41234']);
    expect(services.ui.opened).toEqual([`https://41234.forwarded.example/lab?token=${TOKEN}`]);
    expect(services.ui.secrets.values.get('gpuEnv.jupyter.exp')).toBe(TOKEN);
    expect(contexts[0]?.confirmHostKey).toBe(services.confirmHostKey);
    const said = [...services.log.lines, ...services.ui.messages.map((m) => `${m.message} ${m.detail ?? ''}`), ...services.ui.progressTitles];
    expect(said.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(services.log.lines).toContain('info Starting Jupyter Lab');
    expect(services.ui.messages.at(-1)?.actions).toEqual([]);
  });

  it('without a usable keyring (SecretStorage rejects), fails saying so and keeps the token nowhere else', async () => {
    const services = fakeServices({ core: jupyterCore([]) });
    const refused = () => Promise.reject(new Error('Cannot create an item in a locked collection'));
    services.ui.secrets.store = refused;
    services.ui.secrets.get = refused;
    await runCommand(services, openJupyterCommand, ['exp']);
    const errors = services.ui.texts('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/could not use the system keyring, where the Jupyter token is kept \(Cannot create an item in a locked collection\); the token was not saved anywhere else\. On Linux, install and unlock a Secret Service keyring/);
    expect(services.ui.opened).toEqual([]);
    expect(services.ui.clipboard).toBe('');
    // No plaintext fallback: not in the extension's state, its log or anything it showed.
    const kept = JSON.stringify([...services.ui.globalState.values, ...services.ui.workspaceState.values]);
    const said = [...services.log.lines, ...services.ui.messages.map((m) => `${m.message} ${m.detail ?? ''}`)];
    expect(kept).not.toContain(TOKEN);
    expect(said.filter((line) => line.includes(TOKEN))).toEqual([]);
  });

  it('with the Jupyter extension installed, offers the local URL for "Existing Server" on the clipboard', async () => {
    const services = fakeServices({ core: jupyterCore([]) });
    services.ui.extensions.add(JUPYTER_EXTENSION);
    services.ui.respond = (m) => m.actions.find((a) => a.startsWith('Copy URL'));
    await runCommand(services, openJupyterCommand, ['exp']);
    expect(services.ui.clipboard).toBe(`http://127.0.0.1:41234/lab?token=${TOKEN}`);
  });

  it('reuses the open tunnel, and closes it when the environment stops', async () => {
    const closed: string[] = [];
    const core = jupyterCore(closed);
    const services = fakeServices({ core });
    await runCommand(services, openJupyterCommand, ['exp']);
    await runCommand(services, openJupyterCommand, ['exp']);
    expect(core.calls.filter((c) => c === 'openJupyter')).toHaveLength(1);
    expect(services.jupyter.has('exp')).toBe(true);
    await runCommand(services, stopCommand, ['exp']);
    expect(closed).toEqual(['exp']);
    expect(services.jupyter.has('exp')).toBe(false);
  });

  it('closes the tunnel when the environment list shows it stopped', async () => {
    const closed: string[] = [];
    let state: 'running' | 'stopped' = 'running';
    const core = jupyterCore(closed);
    const services = fakeServices({ core, storeSource: { list: async () => [environment('exp', state)], watch: async () => ({ dispose() {} }) } });
    await runCommand(services, openJupyterCommand, ['exp']);
    state = 'stopped';
    await services.store.refresh();
    await settle();
    expect(closed).toEqual(['exp']);
  });

  it('refuses in an untrusted workspace without loading the core', async () => {
    const services = fakeServices({ core: jupyterCore([]) });
    services.ui.trusted = false;
    await runCommand(services, openJupyterCommand, ['exp']);
    expect(services.coreLoads).toBe(0);
    expect(services.ui.texts('error')[0]).toContain('"Open Jupyter" requires a trusted workspace');
  });
});
