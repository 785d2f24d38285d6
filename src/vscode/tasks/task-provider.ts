import * as vscode from 'vscode';
import type { Services } from '../services';
import { TASK_TYPE, TrainTaskTerminal } from './train-task';

/** Registers the `gpu-env` task type: tasks.json entries resolve to a CustomExecution over TrainTaskTerminal. */
export function registerTrainTaskProvider(services: Services): vscode.Disposable {
  const task = (definition: vscode.TaskDefinition, scope: vscode.TaskScope | vscode.WorkspaceFolder, name: string): vscode.Task =>
    new vscode.Task(definition, scope, name, TASK_TYPE, new vscode.CustomExecution(async (resolved) => new TrainTaskTerminal(services, resolved)));
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    provideTasks: () => [task({ type: TASK_TYPE }, vscode.TaskScope.Workspace, services.t('Train CNN'))],
    resolveTask: (given) => (given.definition.type === TASK_TYPE ? task(given.definition, given.scope ?? vscode.TaskScope.Workspace, given.name) : undefined),
  });
}
