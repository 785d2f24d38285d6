import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import { environmentArgument } from './environment-argument';
import type { PickItem } from './ui';
import { coreContext, type Services } from './services';
import { stateLabel } from './views/environment-node';

import { START_COMMAND } from './contribution-ids';

export interface ChooseOptions {
  /** `running`: only running environments are offered; `active`: running, starting or queued (stop). */
  readonly filter: 'any' | 'running' | 'active';
  readonly placeHolder: string;
}

/**
 * The environment a command acts on: the tree item or name it was given, else the only candidate,
 * else the user's pick. Undefined when there is none (the user was told) or the pick was dismissed.
 */
export async function chooseEnvironment(services: Services, arg: unknown, options: ChooseOptions): Promise<EnvironmentInfo | undefined> {
  const core = await services.core();
  const given = environmentArgument(arg, core);
  if (given.kind === 'info') return given.info;
  if (given.kind === 'name') return core.status(given.name, coreContext(core, services));
  const all = await core.list(coreContext(core, services));
  const candidates = all.filter((info) => matches(info, options.filter));
  if (candidates.length === 0) {
    await tellNoCandidate(services, all.length > 0);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  return services.ui.pick(pickItems(services, candidates), options.placeHolder);
}

function matches(info: EnvironmentInfo, filter: ChooseOptions['filter']): boolean {
  switch (filter) {
    case 'any': return true;
    case 'running': return info.state === 'running';
    case 'active': return info.state === 'running' || info.state === 'pending' || info.state === 'creating';
  }
}

/** The configured environment first, then by name; each with its state and workspace. */
export function pickItems(services: Pick<Services, 't' | 'settings'>, environments: readonly EnvironmentInfo[]): PickItem<EnvironmentInfo>[] {
  const configured = safeConfiguredName(services);
  const ordered = [...environments].sort((a, b) => Number(b.name === configured) - Number(a.name === configured) || a.name.localeCompare(b.name));
  return ordered.map((info) => ({ label: info.name, description: stateLabel(info.state, services.t), detail: info.workspace, value: info }));
}

function safeConfiguredName(services: Pick<Services, 'settings'>): string | undefined {
  try {
    return services.settings().environmentName ?? 'default';
  } catch {
    return undefined;
  }
}

async function tellNoCandidate(services: Services, someExist: boolean): Promise<void> {
  const { ui, t } = services;
  const start = t('Start GPU Environment');
  const message = someExist ? t('No GPU environment is running.') : t('There is no GPU environment yet.');
  if ((await ui.showInfo(message, start)) === start) await ui.executeCommand(START_COMMAND);
}
