import { usageError } from '../../shared/errors';
import type { ListedRun } from '../../core/runs/run-facts';
import type { PickItem } from '../ui';
import type { Services } from '../services';
import type { RunRef } from '../runs/runs-model';
import { runDescription } from '../runs/run-summary';
import { isRunNode } from '../views/run-node';

export interface RunChoice {
  /** Which runs make sense for the command (e.g. only active ones for stop). */
  readonly filter: (run: ListedRun) => boolean;
  readonly placeHolder: string;
  /** Said when no run fits. */
  readonly none: string;
}

/**
 * The run a command acts on: the Runs view row it was given, a run id (validated), else the
 * user's pick among the runs that fit. Undefined when there is none (the user was told) or the
 * pick was dismissed.
 */
export async function chooseRun(services: Services, arg: unknown, choice: RunChoice): Promise<RunRef | undefined> {
  if (isRunNode(arg)) return { environment: arg.environment, listing: arg.listing };
  const runs = services.training.runs;
  await runs.refresh();
  if (typeof arg === 'string') {
    if (!(await services.core()).isRunId(arg)) throw usageError(services.t('"{0}" is not a run id (expected YYYYMMDD-HHMMSS-xxxx).', arg));
    const found = runs.find(arg);
    if (!found) throw usageError(services.t('There is no run {0} in a running GPU environment.', arg));
    return found;
  }
  const candidates = runs.all().filter((ref) => choice.filter(ref.listing));
  if (candidates.length === 0) {
    void services.ui.showInfo(choice.none);
    return undefined;
  }
  return services.ui.pick(runItems(services, candidates), choice.placeHolder);
}

export function runItems(services: Pick<Services, 't'>, refs: readonly RunRef[]): PickItem<RunRef>[] {
  const now = Date.now() / 1000;
  return [...refs]
    .sort((a, b) => (a.listing.id < b.listing.id ? 1 : -1))
    .map((ref) => ({ label: ref.listing.facts.label, description: runDescription(ref.listing, services.t, now), detail: `${ref.environment} · ${ref.listing.id}`, value: ref }));
}
