/**
 * The `gpu-env` task type: tasks.json can define a training run, e.g.
 *   { "type": "gpu-env", "dataset": "fashion-mnist", "epochs": 3, "label": "train: fashion-mnist" }
 * The task starts the run detached (as Train CNN does) and shows its log until it ends; its exit
 * code is 0 when the run succeeded and 1 otherwise. Closing the task's terminal stops following,
 * not the run, which goes on in the environment like any other.
 */
import { messageOf } from '../../shared/errors';
import type { LocalApi } from '../../core/local-api';
import type { TerminalBackend, TerminalSize } from '../ui';
import type { Services } from '../services';
import { coreContext } from '../services';
import { Emitter } from '../util/emitter';
import { runLogSource, withRuns } from '../runs/runs-access';
import { stateText } from '../runs/run-summary';

export const TASK_TYPE = 'gpu-env';
const OPTION_KEYS = ['template', 'dataset', 'dataDir', 'epochs', 'batchSize', 'lr', 'seed', 'targetAccuracy', 'nprocPerNode', 'nodes', 'subset', 'time'] as const;

export type ParsedTask =
  | { readonly ok: true; readonly environment: string | undefined; readonly options: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Checks a task definition from tasks.json; every problem is reported, named by its property. */
export function parseTaskDefinition(definition: Readonly<Record<string, unknown>>, core: Pick<LocalApi, 'validateName' | 'validateTrainOptions'>): ParsedTask {
  const problems: string[] = [];
  let environment: string | undefined;
  if (definition.environment !== undefined) {
    try {
      if (typeof definition.environment !== 'string') throw new Error(`environment must be a text value (got ${typeof definition.environment})`);
      environment = core.validateName('environment', definition.environment);
    } catch (error) {
      problems.push(messageOf(error));
    }
  }
  const options = Object.fromEntries(OPTION_KEYS.filter((key) => definition[key] !== undefined).map((key) => [key, definition[key]]));
  const checked = core.validateTrainOptions(options);
  if (!checked.ok) problems.push(...checked.problems.map((p) => p.message));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, environment, options };
}

type TaskServices = Pick<Services, 'core' | 'training' | 'settings' | 'ui' | 't' | 'log' | 'assetsRoot' | 'stateDir' | 'homeDir' | 'env' | 'confirmHostKey'>;

export class TrainTaskTerminal implements TerminalBackend {
  private readonly written = new Emitter<string>();
  private readonly closed = new Emitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private readonly controller = new AbortController();

  constructor(
    private readonly services: TaskServices,
    private readonly definition: Readonly<Record<string, unknown>>,
  ) {}

  open(_dimensions: TerminalSize | undefined): void {
    void this.run().then(
      (code) => this.finish(code),
      (error: unknown) => {
        this.line(`\x1b[31m${messageOf(error)}\x1b[0m`);
        this.finish(1);
      },
    );
  }

  /** The user closed the terminal or terminated the task: stop following (the run goes on). */
  close(): void {
    this.controller.abort();
  }

  handleInput(_data: string): void {}

  setDimensions(_dimensions: TerminalSize): void {}

  private async run(): Promise<number> {
    const { services } = this;
    const { t } = services;
    if (!services.ui.isTrusted()) return this.fail(t('Training tasks need a trusted workspace: its settings choose the Docker engine and the image. Nothing was started.'));
    const core = await services.core();
    const parsed = parseTaskDefinition(this.definition, core);
    if (!parsed.ok) return this.fail(t('The gpu-env task in tasks.json is not valid: {0}', parsed.problems.join('; ')));
    const environment = parsed.environment ?? services.settings().environmentName ?? 'default';
    const info = await core.status(environment, coreContext(core, services));
    if (info.state !== 'running') return this.fail(t('GPU environment "{0}" is not running; start it with "GPU: Start GPU Environment" first.', environment));
    this.line(t('Starting training in "{0}"…', environment));
    const assets = core.shippedAssets(services.assetsRoot);
    const started = await withRuns(services, environment, (runs) => runs.start(parsed.options, assets, { environment, signal: this.controller.signal }));
    this.line(t('Run {0}: {1}', started.id, started.argv.join(' ')));
    void services.training.runs.refresh();
    const hold = services.training.sessions.hold(environment);
    try {
      const end = await core.followRunLog(runLogSource(services, environment, started.id), {
        write: (text) => this.write(text.replace(/\r?\n/g, '\r\n')),
        signal: this.controller.signal,
        onError: (message) => services.log.warn(`task run ${started.id}: ${message}`),
      });
      if (end.kind !== 'ended') return this.fail(end.kind === 'gave-up' ? end.reason : t('Stopped following run {0}; it goes on in the environment.', started.id));
      this.line(t('Run {0} {1}.', started.id, stateText(end.state, t)));
      return end.state === 'succeeded' ? 0 : 1;
    } finally {
      hold.dispose();
    }
  }

  private fail(message: string): number {
    this.line(`\x1b[31m${message}\x1b[0m`);
    return 1;
  }

  private line(text: string): void {
    this.write(`${text}\r\n`);
  }

  private write(text: string): void {
    if (text !== '') this.written.fire(text);
  }

  private finish(code: number): void {
    this.closed.fire(code);
  }
}
