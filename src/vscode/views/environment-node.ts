import type { EnvironmentInfo, EnvironmentState, HostIdentity } from '../../core/lifecycle/environment-info';
import type { StoreState } from '../environment-store';
import type { Translate } from '../l10n';

/** A tree row as plain data; views/environments-tree.ts turns it into a vscode.TreeItem. */
export interface NodeModel {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** A codicon id, with an optional theme colour id. */
  readonly icon: { readonly id: string; readonly color?: string };
  /** Matched by the `viewItem == …` clauses of the view's menus in package.json. */
  readonly contextValue?: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly command?: { readonly id: string; readonly title: string; readonly args?: readonly unknown[] };
}

const ICONS: Record<EnvironmentState, NodeModel['icon']> = {
  running: { id: 'vm-running', color: 'testing.iconPassed' },
  stopped: { id: 'vm-outline' },
  creating: { id: 'loading~spin' },
  error: { id: 'error', color: 'errorForeground' },
};

export function stateLabel(state: EnvironmentState, t: Translate): string {
  switch (state) {
    case 'running': return t('running');
    case 'stopped': return t('stopped');
    case 'creating': return t('creating');
    case 'error': return t('error');
  }
}

export function contextValueOf(state: EnvironmentState): string {
  return `environment.${state}`;
}

export function environmentNodeModel(info: EnvironmentInfo, t: Translate): NodeModel {
  return {
    id: `environment:${info.name}`,
    label: info.name,
    description: stateLabel(info.state, t),
    icon: ICONS[info.state],
    contextValue: contextValueOf(info.state),
    tooltip: environmentTooltip(info, t),
  };
}

/** Values come from container labels anyone with engine access can set, so they are escaped. */
export function environmentTooltip(info: EnvironmentInfo, t: Translate): string {
  const row = (label: string, markdown: string): string => `**${label}:** ${markdown}`;
  const port = info.ssh.port === null ? t('not published (stopped)') : `127.0.0.1:${info.ssh.port}`;
  return [
    `**${escapeMarkdown(info.container)}** — ${stateLabel(info.state, t)} (${escapeMarkdown(info.status)})`,
    '',
    row(t('Engine'), escapeMarkdown(info.engine)),
    row(t('Image'), escapeMarkdown(info.image)),
    row(t('GPUs'), escapeMarkdown(info.gpus)),
    row(t('SSH port'), port),
    row(t('Workspace'), escapeMarkdown(info.workspace)),
  ].join('  \n');
}

export function engineErrorNodeModel(message: string, t: Translate): NodeModel {
  // Only an unreachable engine is called that; any other failure is named as a failed listing,
  // so the row does not send the user to check Docker when Docker is fine.
  const unreachable = message.startsWith('Docker engine not reachable');
  return {
    id: 'engine-error',
    label: unreachable ? t('Docker engine not reachable') : t('Cannot list environments'),
    description: t('click to run GPU Doctor'),
    icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
    tooltip: escapeMarkdown(message),
    command: { id: 'gpuEnv.runDoctor', title: t('Run GPU Doctor') },
  };
}

/** Values never start a line here, so only inline syntax (emphasis, code, links, HTML) needs escaping. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>|~]/g, (c) => `\\${c}`);
}

/** What the Environments view shows for the store's state; an empty list lets the welcome content show. */
export type TreeNode = EnvironmentNodeData | HostNodeData | { readonly kind: 'message'; readonly model: NodeModel };
interface EnvironmentNodeData {
  readonly kind: 'environment';
  readonly info: EnvironmentInfo;
  /** Set when the view is grouped: names are unique per host only, so row ids include the host. */
  readonly hostId?: string;
}
export interface HostNodeData {
  readonly kind: 'host';
  readonly host: HostIdentity;
  readonly environments: readonly EnvironmentInfo[];
}

/**
 * One engine: a flat list, as before remote hosts. Several: one group per host, labelled for people
 * (`this machine`, `me@gpu-box`), so two environments of the same name on two hosts stay apart.
 */
export function treeChildren(state: StoreState, t: Translate): TreeNode[] {
  if (state.kind === 'failed') return [{ kind: 'message', model: engineErrorNodeModel(state.message, t) }];
  if (state.kind !== 'ready') return [];
  const groups = groupByHost(state.environments);
  if (groups.length <= 1) return state.environments.map((info) => ({ kind: 'environment', info }));
  return groups;
}

/** The rows under a host group; nothing under an environment row. */
export function childrenOf(node: TreeNode): TreeNode[] {
  if (node.kind !== 'host') return [];
  return node.environments.map((info) => ({ kind: 'environment', info, hostId: node.host.id }));
}

export function groupByHost(environments: readonly EnvironmentInfo[]): HostNodeData[] {
  const groups = new Map<string, { host: HostIdentity; environments: EnvironmentInfo[] }>();
  for (const info of environments) {
    // Infos from before host identities: the engine address stands in for the host.
    const host = info.host ?? { id: info.engine, label: info.engine, engine: info.engine, kind: 'local' as const };
    const group = groups.get(host.id) ?? { host, environments: [] };
    group.environments.push(info);
    groups.set(host.id, group);
  }
  return [...groups.values()].map((group) => ({ kind: 'host', host: group.host, environments: group.environments }));
}

export function hostNodeModel(node: HostNodeData, t: Translate): NodeModel {
  const running = node.environments.filter((info) => info.state === 'running').length;
  return {
    id: `host:${node.host.id}`,
    label: node.host.label,
    description: t('{0} running of {1}', running, node.environments.length),
    icon: { id: node.host.kind === 'ssh' ? 'remote' : node.host.kind === 'tcp' ? 'server' : 'device-desktop' },
    contextValue: 'host',
    tooltip: `**${escapeMarkdown(node.host.label)}**  \n${row(t('Engine'), escapeMarkdown(node.host.engine))}`,
  };
}

function row(label: string, markdown: string): string {
  return `**${label}:** ${markdown}`;
}

export function nodeModel(node: TreeNode, t: Translate): NodeModel {
  switch (node.kind) {
    case 'environment': {
      const model = environmentNodeModel(node.info, t);
      return node.hostId === undefined ? model : { ...model, id: `environment:${node.hostId}:${node.info.name}` };
    }
    case 'host': return hostNodeModel(node, t);
    case 'message': return node.model;
  }
}
