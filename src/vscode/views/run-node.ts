/**
 * The Runs view as data: one row per running environment, its runs under it (newest first), and
 * message rows for "no runs yet" and errors. views/runs-tree.ts turns these into TreeItems.
 */
import type { ListedRun } from '../../core/runs/run-facts';
import type { AttemptEnd, RunAttempt } from '../../core/runs/run-listing';
import type { RunState } from '../../shared/protocol/dashboard';
import type { Translate } from '../l10n';
import type { EnvironmentRuns } from '../runs/runs-model';
import { elapsedSeconds, formatDuration, fractionAsPercent, runDescription, stateText } from '../runs/run-summary';
import { escapeMarkdown, type NodeModel } from './environment-node';

import { OPEN_DASHBOARD_COMMAND, TRAIN_COMMAND } from '../contribution-ids';

/** A run row; commands run from its menus receive it as their argument. */
export interface RunNode {
  readonly kind: 'run';
  readonly environment: string;
  readonly listing: ListedRun;
}

export type RunsTreeNode =
  | { readonly kind: 'environment'; readonly group: EnvironmentRuns }
  | RunNode
  | { readonly kind: 'message'; readonly model: NodeModel };

export function isRunNode(value: unknown): value is RunNode {
  if (typeof value !== 'object' || value === null) return false;
  const node = value as { kind?: unknown; environment?: unknown; listing?: { id?: unknown } };
  return node.kind === 'run' && typeof node.environment === 'string' && typeof node.listing === 'object' && node.listing !== null && typeof node.listing.id === 'string';
}

const ICONS: Record<RunState, NodeModel['icon']> = {
  starting: { id: 'loading~spin' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'errorForeground' },
  stopped: { id: 'debug-stop' },
  unknown: { id: 'question', color: 'problemsWarningIcon.foreground' },
};

export function runContextValue(state: RunState): string {
  return `run.${state}`;
}

export function rootNodes(groups: readonly EnvironmentRuns[]): RunsTreeNode[] {
  return groups.map((group) => ({ kind: 'environment', group }));
}

export function childNodes(node: RunsTreeNode, t: Translate): RunsTreeNode[] {
  if (node.kind !== 'environment') return [];
  const { environment, state } = node.group;
  if (state.kind === 'loading') return [{ kind: 'message', model: messageModel(`${environment}:loading`, t('Loading runs…'), 'loading~spin') }];
  if (state.kind === 'failed') {
    return [{ kind: 'message', model: { ...messageModel(`${environment}:error`, t('Cannot list runs'), 'warning'), description: state.message, tooltip: escapeMarkdown(state.message) } }];
  }
  if (state.runs.length === 0) {
    return [{ kind: 'message', model: { ...messageModel(`${environment}:empty`, t('No runs yet'), 'info'), description: t('click to train a CNN'), command: { id: TRAIN_COMMAND, title: t('Train CNN') } } }];
  }
  return [...state.runs].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((listing) => ({ kind: 'run', environment, listing }));
}

export function runsNodeModel(node: RunsTreeNode, t: Translate, nowSeconds: number): NodeModel {
  switch (node.kind) {
    case 'message': return node.model;
    case 'environment': return environmentGroupModel(node.group, t);
    case 'run': return runNodeModel(node, t, nowSeconds);
  }
}

function environmentGroupModel(group: EnvironmentRuns, t: Translate): NodeModel {
  const active = group.state.kind === 'ready' ? group.state.runs.filter((r) => r.facts.active).length : 0;
  return {
    id: `runs-env:${group.environment}`,
    label: group.environment,
    description: active > 0 ? t('{0} running', active) : '',
    icon: { id: 'vm-running', color: 'testing.iconPassed' },
    contextValue: 'runsEnvironment',
    tooltip: t('Training runs in GPU environment {0}', escapeMarkdown(group.environment)),
  };
}

export function runNodeModel(node: RunNode, t: Translate, nowSeconds: number): NodeModel {
  const { state } = node.listing.facts;
  return {
    id: `run:${node.environment}:${node.listing.id}`,
    label: node.listing.facts.label,
    description: runDescription(node.listing, t, nowSeconds),
    icon: ICONS[state],
    contextValue: runContextValue(state),
    tooltip: runTooltip(node, t, nowSeconds),
    command: { id: OPEN_DASHBOARD_COMMAND, title: t('Open Training Dashboard'), args: [node] },
  };
}

/** Everything in it comes from files in the container, so every value is escaped. */
export function runTooltip(node: RunNode, t: Translate, nowSeconds: number): string {
  const { listing } = node;
  const row = (label: string, markdown: string): string => `**${label}:** ${markdown}`;
  const command = listing.run?.command ?? [];
  const { dataset, dataDir } = listing.facts;
  const elapsed = elapsedSeconds(listing, nowSeconds);
  const end = listing.metrics?.end;
  const rows = [
    `**${escapeMarkdown(listing.facts.label)}** — ${stateText(listing.facts.state, t)}`,
    '',
    row(t('Run'), escapeMarkdown(listing.id)),
    row(t('Environment'), escapeMarkdown(node.environment)),
    row(t('Command'), command.length > 0 ? escapeMarkdown(command.join(' ')) : '—'),
  ];
  if (dataset !== undefined) rows.push(row(t('Data'), escapeMarkdown(dataDir !== undefined ? `${dataset} (${dataDir})` : dataset)));
  if (elapsed !== undefined) rows.push(row(t('Time'), formatDuration(elapsed)));
  const job = listing.run?.cluster ? listing.status?.job : undefined;
  if (job) {
    const queue = listing.queue;
    const waiting = queue && queue.state !== 'RUNNING' ? ` — ${queue.state.toLowerCase()}${queue.reason ? ` (${queue.reason})` : ''}` : '';
    rows.push(row(t('Slurm job'), escapeMarkdown(`${job.id}${waiting}`)));
    if (job.nodes.length > 0) rows.push(row(t('Nodes'), escapeMarkdown(job.nodes.join(', '))));
    if (listing.status && listing.status.attempts.length > 0) rows.push(row(t('Attempts'), escapeMarkdown(attemptsText(listing.status.attempts, t))));
  } else if (listing.status && listing.status.attempt > 1) {
    rows.push(row(t('Attempt'), String(listing.status.attempt)));
  }
  if (listing.status?.exitCode !== null && listing.status?.exitCode !== undefined) rows.push(row(t('Exit code'), String(listing.status.exitCode)));
  if (end?.testAccuracy !== null && end?.testAccuracy !== undefined) rows.push(row(t('Test accuracy'), fractionAsPercent(end.testAccuracy)));
  if (end?.bestCheckpoint) rows.push(row(t('Best checkpoint'), escapeMarkdown(end.bestCheckpoint)));
  if (listing.status?.error) rows.push(row(t('Error'), escapeMarkdown(listing.status.error)));
  if (listing.error) rows.push(row(t('Error'), escapeMarkdown(listing.error)));
  return rows.join('  \n');
}

function messageModel(id: string, label: string, icon: string): NodeModel {
  return { id: `runs-message:${id}`, label, description: '', icon: { id: icon }, tooltip: escapeMarkdown(label) };
}

/** "1 preempted at step 650 · 2 running" for a cluster run's attempts (the last ten). */
export function attemptsText(attempts: readonly RunAttempt[], t: Translate): string {
  const ends: Record<AttemptEnd, string> = {
    succeeded: t('succeeded'), failed: t('failed'), preempted: t('preempted'), stopped: t('stopped'), interrupted: t('interrupted'),
  };
  return attempts.slice(-10).map((a) => {
    const how = a.end === null ? t('running') : ends[a.end];
    return a.end !== null && a.lastStep !== null ? t('{0} {1} at step {2}', a.attempt, how, a.lastStep) : `${a.attempt} ${how}`;
  }).join(' · ');
}
