/**
 * The webview's side of the host link: typed posting, validated receiving, persisted state.
 * `acquireVsCodeApi` may be called once per page; the tests stub it the same way.
 */
import { parseHostMessage, type HostMessage, type WebviewMessage } from '../../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostLink {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
  /** Calls `handler` for every host message that passes validation; counts the others and calls `onInvalid`. */
  onMessage(handler: (message: HostMessage) => void, onInvalid?: () => void): void;
  readonly rejected: number;
}

export function connectToHost(): HostLink {
  const api = acquireVsCodeApi();
  let rejected = 0;
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
    onMessage: (handler, onInvalid) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const message = parseHostMessage(event.data);
        if (message) {
          handler(message);
        } else {
          rejected++;
          onInvalid?.();
        }
      }),
    get rejected() {
      return rejected;
    },
  };
}
