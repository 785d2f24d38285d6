/**
 * The notification when a run ends: the result with "Open Dashboard", or the recognised cause of
 * a failure with the fix for it (retry with half the batch, raise the shm size, recreate the
 * environment, show the expected data files) and the log.
 */
import type { RecognisedFailure } from '../../core/runs/failure';
import { messageOf } from '../../shared/errors';
import { reportError } from '../report-error';
import type { Services } from '../services';
import { requireTrustedWorkspace } from '../trust';
import { expectedFilesMarkdown } from './expected-files';
import { recreateEnvironment } from './recreate-environment';
import { choicesFromOptions, halfBatch } from './run-command-options';
import { elapsedSeconds, formatDuration, fractionAsPercent } from './run-summary';
import type { RunRef } from './runs-model';
import { withRuns } from './runs-access';
import { startTraining } from './start-training';

export const SHM_SETTING = 'gpuEnv.shmSize';
export const OPEN_SETTINGS_COMMAND = 'workbench.action.openSettings';

interface Fix {
  readonly label: string;
  run(): Promise<void>;
}

export async function announceFinished(services: Services, ref: RunRef): Promise<void> {
  const { state } = ref.listing.facts;
  if (state === 'succeeded') return announceSuccess(services, ref);
  if (state === 'failed') return announceFailure(services, ref);
}

/** "Training <label> finished: test accuracy 90.1% in 2m31s · best checkpoint …" */
export function successMessage(services: Pick<Services, 't'>, ref: RunRef, nowSeconds: number): string {
  const { t } = services;
  const { label, accuracy } = ref.listing.facts;
  const duration = formatDuration(elapsedSeconds(ref.listing, nowSeconds) ?? 0);
  const head = accuracy !== undefined
    ? t('Training {0} finished: test accuracy {1} in {2}', label, fractionAsPercent(accuracy), duration)
    : t('Training {0} finished in {1}', label, duration);
  const best = ref.listing.metrics?.end?.bestCheckpoint;
  return best ? `${head} · ${t('best checkpoint {0}', best.replace(/^\/workspace\//, ''))}` : head;
}

async function announceSuccess(services: Services, ref: RunRef): Promise<void> {
  const open = services.t('Open Dashboard');
  if ((await services.ui.showInfo(successMessage(services, ref, Date.now() / 1000), open)) === open) services.training.openDashboard([ref.listing.id]);
}

export function failureMessage(services: Pick<Services, 't'>, ref: RunRef, diagnosis: RecognisedFailure | undefined): string {
  const { t } = services;
  const status = ref.listing.status;
  const cause = diagnosis
    ? `${diagnosis.title}: ${diagnosis.advice}`
    : status?.error ?? (status?.exitCode !== null && status?.exitCode !== undefined ? t('exit code {0}', status.exitCode) : t('see its log'));
  return t('Training {0} failed: {1}', ref.listing.facts.label, cause);
}

async function announceFailure(services: Services, ref: RunRef): Promise<void> {
  const { ui, t } = services;
  const diagnosis = await withRuns(services, ref.environment, (runs) => runs.diagnose(ref.listing.id)).catch((error: unknown) => {
    services.log.warn(`diagnosing run ${ref.listing.id}: ${messageOf(error)}`);
    return undefined;
  });
  const fix = diagnosis ? fixFor(services, ref, diagnosis) : undefined;
  const showLog = t('Show Training Log');
  const choice = await ui.showError(failureMessage(services, ref, diagnosis), ...(fix ? [fix.label] : []), showLog);
  try {
    if (fix && choice === fix.label) await fix.run();
    if (choice === showLog) await services.training.logView.show(services, ref.environment, ref.listing.id, ref.listing.facts.label);
  } catch (error) {
    await reportError(services, choice ?? showLog, error);
  }
}

export function fixFor(services: Services, ref: RunRef, diagnosis: RecognisedFailure): Fix | undefined {
  const { ui, t } = services;
  const { facts } = ref.listing;
  switch (diagnosis.kind) {
    case 'cuda-oom':
    case 'host-oom': {
      const choices = choicesFromOptions(facts.trainOptions);
      if (!choices) return undefined;
      const batchSize = halfBatch(choices);
      const label = t('Retry with batch size {0}', batchSize);
      return {
        label,
        run: async () => {
          if (!requireTrustedWorkspace(services, label)) return;
          await startTraining(services, ref.environment, { kind: 'template', choices: { ...choices, batchSize } });
        },
      };
    }
    case 'shm':
      return { label: t('Raise shm size'), run: async () => void (await ui.executeCommand(OPEN_SETTINGS_COMMAND, SHM_SETTING)) };
    case 'gpu-lost': {
      const label = t('Recreate Environment');
      return { label, run: () => recreateEnvironment(services, ref.environment, label) };
    }
    case 'missing-data':
      return {
        label: t('Show expected files'),
        run: () => ui.openMarkdownPreview(expectedFilesMarkdown(facts.dataset, facts.dataDir, diagnosis, t)),
      };
  }
}
