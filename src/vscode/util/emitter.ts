import type { Disposable, Subscribe } from '../ui';

/** A minimal event emitter whose `event` fits where VS Code expects a `vscode.Event<T>`. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => unknown>();

  readonly event: Subscribe<T> = (listener, thisArgs, disposables) => {
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.listeners.add(bound);
    const subscription: Disposable = { dispose: () => this.listeners.delete(bound) };
    disposables?.push(subscription);
    return subscription;
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
