/** What long operations report, so the CLI can draw a bar and VS Code a notification. */
export type ProgressStep = 'engine' | 'cluster' | 'pull' | 'build' | 'create' | 'submit' | 'start' | 'ssh' | 'stop' | 'remove';

export type ProgressEvent =
  | { readonly kind: 'step'; readonly step: ProgressStep; readonly message: string }
  | { readonly kind: 'layers'; readonly image: string; readonly currentBytes: number; readonly totalBytes: number; readonly layersDone: number; readonly layers: number }
  | { readonly kind: 'log'; readonly step: ProgressStep; readonly line: string }
  | { readonly kind: 'warning'; readonly message: string }
  /** A batch job waiting for (or starting on) its allocation; sent again whenever state, reason or expected start change. */
  | { readonly kind: 'queue'; readonly job: string; readonly state: string; readonly reason?: string; readonly expectedStart?: string; readonly node?: string; readonly message: string };

export type ProgressSink = (event: ProgressEvent) => void;

export const silentProgress: ProgressSink = () => {};
