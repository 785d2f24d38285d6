/** What long operations report, so the CLI can draw a bar and VS Code a notification. */
export type ProgressStep = 'engine' | 'pull' | 'build' | 'create' | 'start' | 'ssh' | 'stop' | 'remove';

export type ProgressEvent =
  | { readonly kind: 'step'; readonly step: ProgressStep; readonly message: string }
  | { readonly kind: 'layers'; readonly image: string; readonly currentBytes: number; readonly totalBytes: number; readonly layersDone: number; readonly layers: number }
  | { readonly kind: 'log'; readonly step: ProgressStep; readonly line: string }
  | { readonly kind: 'warning'; readonly message: string };

export type ProgressSink = (event: ProgressEvent) => void;

export const silentProgress: ProgressSink = () => {};
