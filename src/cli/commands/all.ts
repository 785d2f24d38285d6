/** The implementations of every command, loaded together on first use (see ./index). */
export { upCommand } from './up';
export { downCommand } from './down';
export { rmCommand } from './rm';
export { lsCommand } from './ls';
export { statusCommand } from './status';
export { gpusCommand } from './gpus';
export { execCommand } from './exec';
export { sshConfigCommand } from './ssh-config';
export { doctorCommand } from './doctor';
export { monitorCommand } from './monitor';
export { syncCommand } from './sync';
export { trainCommand } from './train';
export { runsCommand } from './runs';
export { logsCommand } from './logs';
export { stopCommand } from './stop';
export { resumeCommand } from './resume';
export { jupyterCommand } from './jupyter';
