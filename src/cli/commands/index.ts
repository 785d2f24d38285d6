import type { CliCommand } from '../command';
import { doctorCommand } from './doctor';
import { downCommand } from './down';
import { execCommand } from './exec';
import { lsCommand } from './ls';
import { monitorCommand } from './monitor';
import { rmCommand } from './rm';
import { sshConfigCommand } from './ssh-config';
import { statusCommand } from './status';
import { upCommand } from './up';

export const COMMANDS: readonly CliCommand[] = [upCommand, downCommand, rmCommand, lsCommand, statusCommand, execCommand, sshConfigCommand, doctorCommand, monitorCommand];
