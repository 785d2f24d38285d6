import * as vscode from 'vscode';
import { reportError } from '../report-error';
import type { Services } from '../services';
import { TERMINAL_PROFILE_ID } from '../contribution-ids';
import { prepareTerminal } from './terminal-flow';

/** "GPU Environment" in the terminal's + menu: the same SSH terminal as the command. */
export function registerTerminalProfile(services: Services): vscode.Disposable {
  const title = services.t('GPU Environment');
  return vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE_ID, {
    async provideTerminalProfile() {
      try {
        const prepared = await prepareTerminal(services, undefined, title);
        return prepared ? new vscode.TerminalProfile({ name: prepared.name, pty: prepared.backend, iconPath: new vscode.ThemeIcon('vm') }) : undefined;
      } catch (error) {
        await reportError(services, title, error);
        return undefined;
      }
    },
  });
}
