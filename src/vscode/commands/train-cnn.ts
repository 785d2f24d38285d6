import { requireTrustedWorkspace } from '../trust';
import { fileArgument } from '../runs/script-target';
import { chooseTrainingEnvironment, scriptRequest, startTraining, type RunRequest } from '../runs/start-training';
import { askTrainTarget } from '../runs/train-wizard';
import { TRAIN_COMMAND } from '../contribution-ids';
import type { GpuCommand } from './command';

/**
 * From the palette: environment, then a template (or the Python file in the editor) and its
 * options. From the CodeLens or the editor title on a Python file: that file, run as it is.
 */
export const trainCnnCommand: GpuCommand = {
  id: TRAIN_COMMAND,
  title: (t) => t('Train CNN'),
  async run(services, arg) {
    const { ui, t } = services;
    if (!requireTrustedWorkspace(services, trainCnnCommand.title(t))) return;
    const file = fileArgument(arg);
    if (file !== undefined && !(await ui.saveFile(file))) return void ui.showWarning(t('{0} could not be saved; nothing was started.', file));
    const info = await chooseTrainingEnvironment(services);
    if (!info) return;
    let request: RunRequest;
    if (file !== undefined) {
      request = scriptRequest(services, info, file);
    } else {
      const target = await askTrainTarget(services, { cluster: info.host?.kind === 'slurm' });
      if (!target) return;
      if (target.kind === 'script' && !(await ui.saveFile(target.localPath))) return void ui.showWarning(t('{0} could not be saved; nothing was started.', target.localPath));
      request = target.kind === 'template' ? target : scriptRequest(services, info, target.localPath);
    }
    await startTraining(services, info.name, request);
  },
};
