import { NO_PERMISSION, NOT_REACHABLE } from '../../shared/engine-errors';
import { formatIdleStop } from '../../shared/durations';
import type { EnvironmentInfo, EnvironmentState, HostIdentity } from '../../core/lifecycle/environment-info';
import type { StoreState } from '../environment-store';
import { RUN_DOCTOR_COMMAND } from '../contribution-ids';
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
  pending: { id: 'watch' },
  error: { id: 'error', color: 'errorForeground' },
};

export function stateLabel(state: EnvironmentState, t: Translate): string {
  switch (state) {
    case 'running': return t('running');
    case 'stopped': return t('stopped');
    case 'creating': return t('creating');
    case 'pending': return t('pending');
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
    description: [info.job ? jobDescription(info, t) : stateLabel(info.state, t), ...(info.idleStopMs !== undefined ? [t('idle stop {0}', formatIdleStop(info.idleStopMs))] : [])].join(' · '),
    icon: ICONS[info.state],
    contextValue: contextValueOf(info.state),
    tooltip: environmentTooltip(info, t),
  };
}

/** A batch job's row: state (with the queue's reason), job id, node, GPUs, time left. */
function jobDescription(info: EnvironmentInfo, t: Translate): string {
  const job = info.job!;
  const state = job.reason !== undefined ? `${stateLabel(info.state, t)} (${job.reason})` : stateLabel(info.state, t);
  const parts = [state, t('job {0}', job.id), ...(job.nodes.length > 0 ? [job.nodes.join(',')] : []), ...(job.gpus !== undefined ? [job.gpus] : [])];
  if (info.state === 'running' && job.timeLeftSeconds !== undefined) parts.push(t('{0} left', timeLeft(job.timeLeftSeconds)));
  return parts.join(' · ');
}

/** Values come from container labels anyone with engine access can set, so they are escaped. */
export function environmentTooltip(info: EnvironmentInfo, t: Translate): string {
  const row = (label: string, markdown: string): string => `**${label}:** ${markdown}`;
  const port = info.ssh.route !== undefined ? escapeMarkdown(info.ssh.route) : info.ssh.port === null ? t('not published (stopped)') : `127.0.0.1:${info.ssh.port}`;
  const job = info.job;
  return [
    `**${escapeMarkdown(info.container)}** — ${stateLabel(info.state, t)} (${escapeMarkdown(info.status)})`,
    '',
    row(t('Engine'), escapeMarkdown(info.engine)),
    ...(job ? [
      row(t('Job'), `${escapeMarkdown(job.id)} ${escapeMarkdown(job.state)}${job.reason !== undefined ? ` (${escapeMarkdown(job.reason)})` : ''}`),
      row(t('Partition'), escapeMarkdown(job.partition)),
      row(t('Nodes'), escapeMarkdown(job.nodes.join(', ') || '-')),
      ...(job.timeLeftSeconds !== undefined ? [row(t('Time left'), timeLeft(job.timeLeftSeconds))] : []),
      ...(job.expectedStart !== undefined ? [row(t('Expected start'), escapeMarkdown(job.expectedStart))] : []),
    ] : [row(t('Image'), escapeMarkdown(info.image))]),
    row(t('GPUs'), escapeMarkdown(info.gpus) + (info.gpuCount !== undefined ? ` ${t('(chosen as {0} free)', info.gpuCount)}` : '')),
    row(t('Idle stop'), info.idleStopMs !== undefined ? t('after {0} unused (no SSH session, no running training, GPUs idle)', formatIdleStop(info.idleStopMs)) : t('off')),
    ...(info.owner !== undefined ? [row(t('Owner'), escapeMarkdown(info.owner))] : []),
    row(t('SSH port'), port),
    row(t('Workspace'), escapeMarkdown(info.workspace)),
  ].join('  \n');
}

function timeLeft(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

export function engineErrorNodeModel(message: string, t: Translate): NodeModel {
  // Only an unreachable engine is called that; any other failure is named as a failed listing,
  // so the row does not send the user to check Docker when Docker is fine.
  const label = message.startsWith(NOT_REACHABLE) ? t('Docker engine not reachable')
    : message.startsWith(NO_PERMISSION) ? t('No permission to use the Docker engine')
      : t('Cannot list environments');
  return {
    id: 'engine-error',
    label,
    description: t('click to run GPU Doctor'),
    icon: { id: 'warning', color: 'problemsWarningIcon.foreground' },
    tooltip: escapeMarkdown(message),
    command: { id: RUN_DOCTOR_COMMAND, title: t('Run GPU Doctor') },
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
  // A cluster is always shown as one: cluster → environments (their jobs).
  if (groups.length <= 1 && !groups.some((group) => group.host.kind === 'slurm')) return state.environments.map((info) => ({ kind: 'environment', info }));
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

const HOST_ICONS: Record<HostIdentity['kind'], string> = { ssh: 'remote', tcp: 'server', local: 'device-desktop', slurm: 'server-environment' };

export function hostNodeModel(node: HostNodeData, t: Translate): NodeModel {
  const running = node.environments.filter((info) => info.state === 'running').length;
  return {
    id: `host:${node.host.id}`,
    label: node.host.label,
    description: t('{0} running of {1}', running, node.environments.length),
    icon: { id: HOST_ICONS[node.host.kind] },
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
