import { describe, expect, it } from 'vitest';
import { formatOnly } from '../../../support/format-only';
import { environmentNodeModel, escapeMarkdown, nodeModel, treeChildren, childrenOf } from '../../../../src/vscode/views/environment-node';
import { environment } from '../../../support/extension-fakes';
import type { HostIdentity } from '../../../../src/core/lifecycle/environment-info';

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
    const [denied] = treeChildren({ kind: 'failed', message: 'No permission to use the Docker engine at unix:///x (from DOCKER_HOST): this user may not open its socket' }, formatOnly);
    expect(nodeModel(denied!, formatOnly)).toMatchObject({ label: 'No permission to use the Docker engine', command: { id: 'gpuEnv.runDoctor' } });
  });
});

const LOCAL: HostIdentity = { id: 'local-1', label: 'this machine', engine: 'unix:///var/run/docker.sock', kind: 'local' };
const BOX: HostIdentity = { id: 'me@gpu-box:22', label: 'me@gpu-box', engine: 'ssh://me@gpu-box', kind: 'ssh' };

describe('Environments view grouped by host', () => {
  it('one host stays a flat list, as before', () => {
    const environments = [environment('a', 'running', { host: LOCAL }), environment('b', 'stopped', { host: LOCAL })];
    expect(treeChildren({ kind: 'ready', environments }, formatOnly).map((n) => n.kind)).toEqual(['environment', 'environment']);
  });

  it('several hosts get one group each, labelled for people, with their environments under it', () => {
    const environments = [environment('a', 'running', { host: LOCAL }), environment('a', 'stopped', { host: BOX }), environment('b', 'running', { host: BOX })];
    const roots = treeChildren({ kind: 'ready', environments }, formatOnly);
    expect(roots.map((n) => nodeModel(n, formatOnly).label)).toEqual(['this machine', 'me@gpu-box']);
    const box = nodeModel(roots[1]!, formatOnly);
    expect(box).toMatchObject({ id: 'host:me@gpu-box:22', description: '1 running of 2', icon: { id: 'remote' } });
    const rows = childrenOf(roots[1]!);
    expect(rows.map((n) => nodeModel(n, formatOnly).label)).toEqual(['a', 'b']);
    // The same name on two hosts must not give two rows the same tree id.
    const ids = roots.flatMap((root) => childrenOf(root)).map((n) => nodeModel(n, formatOnly).id);
    expect(new Set(ids).size).toBe(3);
    // Rows keep their context value, so the item menus still apply under a group.
    expect(nodeModel(rows[0]!, formatOnly).contextValue).toBe('environment.stopped');
    expect(childrenOf(rows[0]!)).toEqual([]);
  });
});
