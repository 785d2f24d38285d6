import { prepareTerminal } from '../terminal/terminal-flow';
import type { GpuCommand } from './command';

export const openTerminalCommand: GpuCommand = {
  id: 'gpuEnv.openTerminal',
  title: (t) => t('Open Terminal in GPU Environment'),
  async run(services, arg) {
    const terminal = await prepareTerminal(services, arg, openTerminalCommand.title(services.t));
    if (terminal) services.ui.openTerminal(terminal.name, terminal.backend);
  },
};
