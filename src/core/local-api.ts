/**
 * The core's functions that reach no engine and open no connection of their own: the validators the
 * CLI's flags and the extension's settings share, file names and texts, GPU samples as the monitor
 * shows them, and the followers of a run's log and metrics over a session they are given. The
 * extension gets them through its lazily loaded core API (src/vscode/core-api.ts), never by import,
 * so that dist/extension.js holds no core code; its unit tests use these very functions.
 */
import { validateEngineUrl } from './engine/resolve';
import { statusText, statusTooltip } from './gpu/status-text';
import { toGpuReading } from './gpu/to-gpu-reading';
import { engineIsRemote, settingsForTarget, validateUpInput } from './lifecycle/request';
import { DEFAULT_WINDOW_BYTES, followMetrics, MetricsTail } from './metrics/metrics-tail';
import { silentProgress } from './progress';
import { followRunLog } from './runs/follow-log';
import { templatesDirOfRun } from './runs/paths';
import { isRunId } from './runs/run-id';
import { templatesNote } from './runs/templates-note';
import { DATASETS, DEFAULT_TRAIN_OPTIONS, validateTrainOptions } from './runs/train-options';
import { sshCommand } from './ssh/openssh-config';
import { includeLine, userSshConfigPath } from './ssh/user-config-include';
import { sshConfigPath } from './state/paths';
import { validateName } from './validate';

export const localApi = {
  // Input, checked as the CLI checks its flags (errors name the front end's field).
  validateName,
  validateEngineUrl,
  engineIsRemote,
  settingsForTarget,
  validateUpInput,
  validateTrainOptions,
  DATASETS,
  DEFAULT_TRAIN_OPTIONS,
  isRunId,
  silentProgress,
  // Files and texts.
  sshConfigPath,
  sshCommand,
  includeLine,
  userSshConfigPath,
  templatesDirOfRun,
  templatesNote,
  // GPU samples as the monitor view and the status bar show them.
  toGpuReading,
  statusText,
  statusTooltip,
  // A run's log and metrics, followed over a session the caller holds.
  followRunLog,
  followMetrics,
  MetricsTail,
  DEFAULT_WINDOW_BYTES,
} as const;

export type LocalApi = typeof localApi;
