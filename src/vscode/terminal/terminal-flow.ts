import { chooseEnvironment } from '../pick-environment';
import { coreContext, type Services } from '../services';
import { ensureRunning } from '../start-flow';
import { requireTrustedWorkspace } from '../trust';
import { SshPseudoterminal } from './ssh-pseudoterminal';

export interface PreparedTerminal {
  readonly name: string;
  readonly backend: SshPseudoterminal;
}

/**
 * Shared by the command and the terminal profile: pick the environment, start it if needed, and
 * build the SSH-backed terminal. Undefined when the user backed out or nothing was there.
 */
export async function prepareTerminal(services: Services, arg: unknown, commandTitle: string): Promise<PreparedTerminal | undefined> {
  const { t } = services;
  if (!requireTrustedWorkspace(services, commandTitle)) return undefined;
  const chosen = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to open a terminal in') });
  if (!chosen) return undefined;
  const info = await ensureRunning(services, chosen);
  if (!info) return undefined;
  const backend = new SshPseudoterminal({
    label: info.ssh.alias,
    connect: async () => {
      const core = await services.core();
      return core.openSession(info.name, coreContext(core, services));
    },
    t,
    log: services.log,
  });
  return { name: t('GPU: {0}', info.name), backend };
}
