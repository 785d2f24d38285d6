import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import type { IdleReport } from '../core/lifecycle/idle-files';
import { messageOf } from '../shared/errors';
import type { EnvironmentStore } from './environment-store';
import type { Disposable } from './ui';
import type { Translate } from './l10n';
import type { Log } from './log';

/** How long before an idle environment stops itself the user is warned. */
export const IDLE_WARN_BEFORE_MS = 5 * 60_000;
/** How often the idle clocks of running environments with idle stop are read (through the engine, not SSH). */
export const IDLE_POLL_MS = 30_000;

export interface IdleStopWarningDeps {
  readonly store: Pick<EnvironmentStore, 'onDidChange' | 'environments'>;
  /** The environment's idle watcher, read without using the environment (core `idleReport`). */
  readonly idleReport: (name: string) => Promise<IdleReport>;
  /** "Keep running": the watcher starts its window again (core `keepRunning`). */
  readonly keepRunning: (name: string) => Promise<void>;
  /** A warning with actions; resolves to the chosen one. */
  readonly warn: (message: string, ...actions: string[]) => Promise<string | undefined>;
  readonly info: (message: string) => void;
  readonly t: Translate;
  readonly log: Log;
  readonly pollMs?: number;
}

/**
 * Warns IDLE_WARN_BEFORE_MS before a running environment with idle stop stops itself, once per idle
 * spell, with "Keep running". The decision is the environment's own (media/agent/gpu_env_idle.py):
 * this only reads its clock, every IDLE_POLL_MS while such an environment runs, and never holds an
 * SSH session (which would count as use).
 */
export class IdleStopWarning implements Disposable {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly warned = new Set<string>();
  private readonly subscription: Disposable;
  private polling = false;

  constructor(private readonly deps: IdleStopWarningDeps) {
    this.subscription = deps.store.onDidChange(() => this.follow());
    this.follow();
  }

  dispose(): void {
    this.subscription.dispose();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the clocks once (the timer calls it; tests call it directly). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const info of this.watched()) await this.check(info);
    } finally {
      this.polling = false;
    }
  }

  private watched(): EnvironmentInfo[] {
    return this.deps.store.environments().filter((info) => info.state === 'running' && info.idleStopMs !== undefined);
  }

  private follow(): void {
    const any = this.watched().length > 0;
    if (any && !this.timer) this.timer = setInterval(() => void this.poll(), this.deps.pollMs ?? IDLE_POLL_MS);
    if (!any && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async check(info: EnvironmentInfo): Promise<void> {
    let report: IdleReport;
    try {
      report = await this.deps.idleReport(info.name);
    } catch (error) {
      this.deps.log.warn(`idle stop of ${info.name}: ${messageOf(error)}`);
      return;
    }
    const state = report.state;
    if (!state || state.busy.length > 0 || state.remainingMs > IDLE_WARN_BEFORE_MS) return;
    // One warning per idle spell: the spell is known by when it began (the container's clock).
    const spell = `${info.id}@${Math.round((state.updatedAtMs - state.idleForMs) / 10_000)}`;
    if (this.warned.has(spell)) return;
    this.warned.add(spell);
    const { t } = this.deps;
    const minutes = Math.max(1, Math.ceil(state.remainingMs / 60_000));
    const keep = t('Keep running');
    const choice = await this.deps.warn(
      t('GPU environment "{0}" stops itself in {1} min: no SSH session, no running training and GPU use under {2}% for a while. It keeps everything; Start brings it back.', info.name, minutes, state.thresholdPercent),
      keep,
    );
    if (choice !== keep) return;
    try {
      await this.deps.keepRunning(info.name);
      this.deps.info(t('GPU environment "{0}" keeps running; its idle time counts again from now.', info.name));
    } catch (error) {
      this.deps.log.warn(`keep ${info.name} running: ${messageOf(error)}`);
      void this.deps.warn(t('Could not keep "{0}" running: {1}', info.name, messageOf(error)));
    }
  }
}
