/**
 * The webview's side of the host link: typed posting, receiving validated by the webview's own
 * protocol parser, persisted state. Both webviews use it. `acquireVsCodeApi` may be called once per
 * page; the tests stub it the same way.
 */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostLink<FromHost, ToHost> {
  post(message: ToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
  /** Calls `handler` for every host message that passes validation; counts the others and calls `onInvalid`. */
  onMessage(handler: (message: FromHost) => void, onInvalid?: () => void): void;
  readonly rejected: number;
}

/** `parse` is the webview's host-message parser: undefined for anything that is off. */
export function connectToHost<FromHost, ToHost>(parse: (x: unknown) => FromHost | undefined): HostLink<FromHost, ToHost> {
  const api = acquireVsCodeApi();
  let rejected = 0;
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
    onMessage: (handler, onInvalid) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const message = parse(event.data);
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
