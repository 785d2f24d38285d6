/**
 * The slice of a VS Code webview that the dashboard and monitor controllers use, so they can be
 * unit-tested without the `vscode` module. `vscode.Webview` fits it structurally.
 */
import type { HostMessage } from '../../shared/protocol';
import type { Disposable } from '../ui';

export interface WebviewPort {
  /** Resolves false when the message could not be delivered (webview gone or hidden). */
  postMessage(message: HostMessage): PromiseLike<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => unknown): Disposable;
}
