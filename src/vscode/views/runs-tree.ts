import * as vscode from 'vscode';
import type { Translate } from '../l10n';
import type { RunsModel } from '../runs/runs-model';
import { RUNS_VIEW } from '../contribution-ids';
import { ModelTreeProvider } from './model-tree';
import { childNodes, rootNodes, runsNodeModel, type RunsTreeNode } from './run-node';

/**
 * Registers the Runs view over the runs model: the first list (and SSH connection) happens when the
 * user opens it, and its visibility is reported to the model, which polls only while it is seen.
 */
export function registerRunsView(model: RunsModel, t: Translate): vscode.Disposable {
  const provider = new ModelTreeProvider<RunsTreeNode>({
    onDidChange: (listener) => model.onDidChange(listener),
    ensureLoaded: () => model.ensureLoaded(),
    roots: () => rootNodes(model.groups()),
    children: (node) => childNodes(node, t),
    model: (node) => runsNodeModel(node, t, Date.now() / 1000),
    expanded: (node) => node.kind === 'environment',
  });
  const view = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: provider });
  // A view restored open with the window is visible from the start, without a change event.
  if (view.visible) model.setViewer('runsView', true);
  return vscode.Disposable.from(
    provider,
    view,
    view.onDidChangeVisibility((event) => model.setViewer('runsView', event.visible)),
    { dispose: () => model.setViewer('runsView', false) },
  );
}
