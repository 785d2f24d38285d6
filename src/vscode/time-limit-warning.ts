import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import type { EnvironmentStore } from './environment-store';
import type { Disposable } from './ui';
import type { Translate } from './l10n';

/** How long before an environment's time limit the user is warned. */
export const WARN_BEFORE_MS = 10 * 60_000;
/** setTimeout's longest delay; a later warning is scheduled again on a later list. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimeLimitWarningDeps {
  readonly store: Pick<EnvironmentStore, 'onDidChange' | 'environments'>;
  readonly warn: (message: string) => void;
  readonly t: Translate;
  readonly now?: () => number;
}

/**
 * Warns once per environment and end time, WARN_BEFORE_MS before an environment stops by its time
 * limit (a batch job's), so the user can save work or checkpoint. Follows the store: a new end time
 * (a new job, a changed limit) schedules anew; an environment that stopped cancels its warning.
 */
export class TimeLimitWarning implements Disposable {
  private readonly timers = new Map<string, { endsAt: string; timer: ReturnType<typeof setTimeout> }>();
  private readonly warned = new Set<string>();
  private readonly subscription: Disposable;

  constructor(private readonly deps: TimeLimitWarningDeps) {
    this.subscription = deps.store.onDidChange(() => this.follow(deps.store.environments()));
  }

  follow(environments: readonly EnvironmentInfo[]): void {
    const now = (this.deps.now ?? Date.now)();
    const seen = new Set<string>();
    for (const info of environments) {
      if (info.endsAt === undefined || info.state !== 'running') continue;
      const key = this.keyOf(info);
      seen.add(key);
      const existing = this.timers.get(key);
      if (existing?.endsAt === info.endsAt || this.warned.has(`${key}@${info.endsAt}`)) continue;
      if (existing) clearTimeout(existing.timer);
      const endsAt = Date.parse(info.endsAt);
      const delay = Math.max(0, endsAt - WARN_BEFORE_MS - now);
      if (endsAt <= now || delay > MAX_TIMER_MS) continue;
      const timer = setTimeout(() => this.warn(info, key), delay);
      this.timers.set(key, { endsAt: info.endsAt, timer });
    }
    for (const [key, { timer }] of this.timers) {
      if (!seen.has(key)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private warn(info: EnvironmentInfo, key: string): void {
    this.timers.delete(key);
    this.warned.add(`${key}@${info.endsAt ?? ''}`);
    const { t } = this.deps;
    const minutes = Math.max(0, Math.round((Date.parse(info.endsAt ?? '') - (this.deps.now ?? Date.now)()) / 60_000));
    const what = info.job ? t('job {0}', info.job.id) : info.engine;
    this.deps.warn(t('GPU environment "{0}" reaches its time limit in {1} minutes ({2}): save your work; running training stops with it (checkpoints stay in the workspace).', info.name, minutes, what));
  }

  /** Per host and job: the same name on two hosts, or a new job for the same environment, are different. */
  private keyOf(info: EnvironmentInfo): string {
    return `${info.host?.id ?? info.engine}/${info.name}/${info.id}`;
  }
}
