import type { GpuCommand } from './command';
import { attachCommand } from './attach';
import { copySshCommand } from './copy-ssh-command';
import { environmentActionsCommand } from './environment-actions';
import { openJupyterCommand } from './open-jupyter';
import { openTerminalCommand } from './open-terminal';
import { refreshCommand } from './refresh';
import { removeCommand } from './remove';
import { runDoctorCommand } from './run-doctor';
import { showLogsCommand } from './show-logs';
import { startCommand } from './start';
import { stopCommand } from './stop';
import { syncWorkspaceCommand } from './sync-workspace';
import { openDashboardCommand } from './open-dashboard';
import { refreshRunsCommand } from './refresh-runs';
import { resumeTrainingCommand } from './resume-training';
import { showTrainingLogCommand } from './show-training-log';
import { stopTrainingCommand } from './stop-training';
import { trainCnnCommand } from './train-cnn';

/** Every command the extension registers; one line per command. */
export const COMMANDS: readonly GpuCommand[] = [
  startCommand,
  stopCommand,
  removeCommand,
  openTerminalCommand,
  attachCommand,
  showLogsCommand,
  copySshCommand,
  openJupyterCommand,
  runDoctorCommand,
  refreshCommand,
  environmentActionsCommand,
  trainCnnCommand,
  stopTrainingCommand,
  resumeTrainingCommand,
  openDashboardCommand,
  showTrainingLogCommand,
  refreshRunsCommand,
  syncWorkspaceCommand,
];
