import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import type { EnvironmentStore, StoreState } from './environment-store';
import type { Disposable, StatusBarPort } from './ui';
import type { Translate } from './l10n';
import { Emitter } from './util/emitter';

import { ENVIRONMENT_ACTIONS_COMMAND } from './contribution-ids';

/**
 * "GPU: <name>" for the environment this window works with: shown after a start, or when the list
 * finds the configured environment running; hidden when that environment stops or goes away.
 */
export class EnvironmentStatusBar implements Disposable {
  private shown: string | undefined;
  private readonly subscription: Disposable;
  private readonly changed = new Emitter<string | undefined>();
  /** The environment shown changed (undefined: hidden); the GPU monitor follows it. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly port: StatusBarPort,
    store: EnvironmentStore,
    private readonly t: Translate,
    private readonly configuredName: () => string | undefined,
  ) {
    this.subscription = store.onDidChange((state) => this.follow(state));
  }

  current(): string | undefined {
    return this.shown;
  }

  showEnvironment(info: EnvironmentInfo): void {
    const { t } = this;
    const before = this.shown;
    this.shown = info.name;
    const tooltip = t('GPU environment {0} on {1}. Click for actions.', info.name, info.engine);
    this.port.show(t('GPU: {0}', info.name), tooltip, { id: ENVIRONMENT_ACTIONS_COMMAND, args: [info.name] });
    if (this.shown !== before) this.changed.fire(this.shown);
  }

  hide(): void {
    const before = this.shown;
    this.shown = undefined;
    this.port.hide();
    if (before !== undefined) this.changed.fire(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.port.hide();
  }

  private follow(state: StoreState): void {
    if (state.kind !== 'ready') return;
    const running = (name: string | undefined): EnvironmentInfo | undefined =>
      state.environments.find((info) => info.name === name && info.state === 'running');
    const next = running(this.shown) ?? running(this.configuredName());
    if (next) this.showEnvironment(next);
    else if (this.shown !== undefined) this.hide();
  }
}
