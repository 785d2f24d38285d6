import { describe, expect, it } from 'vitest';
import type { HostIdentity } from '../../src/core/lifecycle/environment-info';
import { formatOnly } from '../../src/vscode/l10n';
import { childrenOf, nodeModel, treeChildren } from '../../src/vscode/views/environment-node';
import { environment } from './vscode-fakes';

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
