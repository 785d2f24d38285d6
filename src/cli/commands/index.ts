import type { CliCommand } from '../command';
import { doctorCommand } from './doctor';
import { downCommand } from './down';
import { execCommand } from './exec';
import { logsCommand } from './logs';
import { lsCommand } from './ls';
import { monitorCommand } from './monitor';
import { resumeCommand } from './resume';
import { rmCommand } from './rm';
import { runsCommand } from './runs';
import { sshConfigCommand } from './ssh-config';
import { statusCommand } from './status';
import { syncCommand } from './sync';
import { stopCommand } from './stop';
import { trainCommand } from './train';
import { upCommand } from './up';

export const COMMANDS: readonly CliCommand[] = [upCommand, downCommand, rmCommand, lsCommand, statusCommand, execCommand, sshConfigCommand, doctorCommand, monitorCommand,
  syncCommand, trainCommand, runsCommand, logsCommand, stopCommand, resumeCommand];
import { jupyterCommand } from './jupyter'; (COMMANDS as CliCommand[]).push(jupyterCommand);
