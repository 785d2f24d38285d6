/**
 * The slice of a VS Code webview that the dashboard and monitor controllers use, so they can be
 * unit-tested without the `vscode` module. `vscode.Webview` fits it structurally.
 */
import type { Disposable } from '../ui';

/** `Message`: what the host may post to this webview (its protocol's host-message union). */
export interface WebviewPort<Message> {
  /** Resolves false when the message could not be delivered (webview gone or hidden). */
  postMessage(message: Message): PromiseLike<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => unknown): Disposable;
}
