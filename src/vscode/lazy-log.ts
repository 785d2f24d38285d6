import * as vscode from 'vscode';
import type { Log } from './log';
import { logFromChannel } from './vscode-ui';

/** The "GPU Environments" log channel, created on the first line so activation creates nothing. */
export function lazyLogChannel(name: string): Log & vscode.Disposable {
  let channel: vscode.LogOutputChannel | undefined;
  const log = (): Log => logFromChannel((channel ??= vscode.window.createOutputChannel(name, { log: true })));
  return {
    debug: (message) => log().debug(message),
    info: (message) => log().info(message),
    warn: (message) => log().warn(message),
    error: (message) => log().error(message),
    show: () => log().show(),
    dispose: () => channel?.dispose(),
  };
}
