import type { ProgressEvent, ProgressStep } from '../../core/progress';
import type { ProgressUpdate } from '../ui';
import type { Translate } from '../l10n';

/**
 * Where each step starts on the notification's bar, in percent. Pulling dominates a first start;
 * the bar jumps ahead when a step is skipped (image already present), and never goes back.
 */
const STEP_START: Record<ProgressStep, number> = { engine: 0, cluster: 0, pull: 5, build: 60, create: 80, submit: 10, start: 85, ssh: 90, stop: 0, remove: 0 };
const PULL_END = 60;
const MB = 1024 * 1024;
const MAX_LOG_CHARS = 80;

/**
 * Turns the core's progress events into notification updates: a localised step label, bytes while
 * pulling, the latest build line, and bar increments. Byte and build-line updates are throttled,
 * since the engine sends many per second.
 */
export class UpProgressModel {
  private shownPercent = 0;
  private lastFrequentUpdate = -Infinity;

  constructor(
    private readonly t: Translate,
    private readonly now: () => number = Date.now,
    private readonly minIntervalMs = 200,
  ) {}

  update(event: ProgressEvent): ProgressUpdate | undefined {
    switch (event.kind) {
      case 'step':
        return this.advance(STEP_START[event.step], this.stepLabel(event.step));
      case 'layers':
        if (!this.due()) return undefined;
        return this.advance(pullPercent(event.currentBytes, event.totalBytes), this.t(
          'Pulling image: {0} of {1} MB, {2} of {3} layers',
          (event.currentBytes / MB).toFixed(1), (event.totalBytes / MB).toFixed(1), event.layersDone, event.layers,
        ));
      case 'log':
        if (event.step !== 'build' || !this.due()) return undefined;
        return { message: this.t('Building image: {0}', shorten(event.line)) };
      case 'warning':
        return undefined;
      case 'queue':
        return { message: this.queueMessage(event) };
    }
  }

  /** A batch job's place in the queue, in the user's language (Slurm's own words for state and reason). */
  private queueMessage(event: Extract<ProgressEvent, { kind: 'queue' }>): string {
    const { t } = this;
    if (event.state === 'PENDING') {
      const reason = event.reason ?? t('no reason given');
      return event.expectedStart !== undefined
        ? t('Job {0} waiting in the queue: {1}; expected start {2}', event.job, reason, event.expectedStart)
        : t('Job {0} waiting in the queue: {1}', event.job, reason);
    }
    return event.node !== undefined ? t('Job {0} {1} on {2}', event.job, event.state, event.node) : t('Job {0} {1}', event.job, event.state);
  }

  private stepLabel(step: ProgressStep): string {
    const { t } = this;
    switch (step) {
      case 'engine': return t('Resolving Docker engine');
      case 'cluster': return t('Connecting to the Slurm login node');
      case 'submit': return t('Submitting the batch job');
      case 'pull': return t('Pulling image');
      case 'build': return t('Building image');
      case 'create': return t('Creating container');
      case 'start': return t('Starting container');
      case 'ssh': return t('Waiting for SSH');
      case 'stop': return t('Stopping container');
      case 'remove': return t('Removing container');
    }
  }

  private advance(percent: number, message: string): ProgressUpdate {
    const increment = Math.max(0, percent - this.shownPercent);
    this.shownPercent += increment;
    return increment > 0 ? { message, increment } : { message };
  }

  private due(): boolean {
    const now = this.now();
    if (now - this.lastFrequentUpdate < this.minIntervalMs) return false;
    this.lastFrequentUpdate = now;
    return true;
  }
}

function pullPercent(current: number, total: number): number {
  const fraction = total > 0 ? Math.min(1, current / total) : 0;
  return STEP_START.pull + (PULL_END - STEP_START.pull) * fraction;
}

function shorten(line: string): string {
  const clean = line.replace(/\s+/g, ' ').trim();
  return clean.length > MAX_LOG_CHARS ? `${clean.slice(0, MAX_LOG_CHARS - 1)}…` : clean;
}
