import type { Translate } from '../l10n';
import type { Log } from '../log';
import type { Disposable, TextOutput } from '../ui';
import type { FollowEnd } from '../../core/runs/follow-log';
import { runLogSource, type RunsAccess } from './runs-access';
import { stateText } from './run-summary';

/**
 * "Show Training Log": a run's stdout.log in the "GPU Training Log" channel, followed while the
 * run is going. Showing another run stops following the previous one.
 */
export class TrainingLogView implements Disposable {
  private following: AbortController | undefined;

  constructor(private readonly output: TextOutput) {}

  async show(services: RunsAccess & { readonly t: Translate; readonly log: Pick<Log, 'warn'> }, environment: string, id: string, label: string): Promise<FollowEnd> {
    const { t } = services;
    this.following?.abort();
    const controller = new AbortController();
    this.following = controller;
    this.output.clear();
    this.output.append(`${t('Training log of {0} ({1}) in {2}', label, id, environment)}\n\n`);
    this.output.show();
    const hold = services.training.sessions.hold(environment);
    try {
      const core = await services.core();
      const end = await core.followRunLog(runLogSource(services, environment, id), {
        write: (text) => this.output.append(text),
        signal: controller.signal,
        onError: (message) => services.log.warn(`training log of ${id}: ${message}`),
      });
      if (!controller.signal.aborted) this.output.append(`\n${this.closingLine(services, end)}\n`);
      return end;
    } finally {
      hold.dispose();
      if (this.following === controller) this.following = undefined;
    }
  }

  dispose(): void {
    this.following?.abort();
  }

  private closingLine(services: { readonly t: Translate }, end: FollowEnd): string {
    const { t } = services;
    switch (end.kind) {
      case 'ended': return t('— the run is {0}.', stateText(end.state, t));
      case 'missing': return t('— the run no longer exists.');
      case 'gave-up': return t('— stopped following: {0}', end.reason);
      case 'aborted': return '';
    }
  }
}
