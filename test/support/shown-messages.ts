/**
 * The record of messages shown to the user, kept by both VS Code doubles: the fake `Ui`
 * (extension-fakes.ts, unit tests) and the stand-in `vscode` module (vscode-module-mock.ts,
 * integration tests). A modal dialog is recorded as kind 'modal', whatever its severity, as the
 * `Ui` port asks for it (`askModal`).
 */
export interface ShownMessage {
  readonly kind: 'info' | 'warning' | 'error' | 'modal';
  readonly message: string;
  readonly detail?: string;
  readonly actions: readonly string[];
}

/** Answers a message with one of its actions (or undefined: dismissed). */
export type Responder = (message: ShownMessage) => string | undefined;

export class ShownMessages {
  readonly messages: ShownMessage[] = [];
  respond: Responder = () => undefined;

  /** Records a message and answers it as `respond` says. */
  show(kind: ShownMessage['kind'], message: string, actions: readonly string[], detail?: string): Promise<string | undefined> {
    const shown: ShownMessage = { kind, message, actions, ...(detail !== undefined ? { detail } : {}) };
    this.messages.push(shown);
    return Promise.resolve(this.respond(shown));
  }

  /** Messages of one kind, text only. */
  texts(kind: ShownMessage['kind']): string[] {
    return this.messages.filter((m) => m.kind === kind).map((m) => m.message);
  }

  clear(): void {
    this.messages.length = 0;
  }
}
