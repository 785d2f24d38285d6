import * as vscode from 'vscode';
import type { Translate } from '../l10n';
import type { RunsModel } from '../runs/runs-model';
import { RUNS_VIEW } from '../contribution-ids';
import { treeItem } from './environments-tree';
import { childNodes, rootNodes, runsNodeModel, type RunsTreeNode } from './run-node';

/**
 * The Runs view over the runs model. Children are asked for only while the view is visible, so
 * the first list (and SSH connection) happens when the user opens it; its visibility drives polling.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly model: RunsModel,
    private readonly t: Translate,
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire());
  }

  async getChildren(element?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (element) return childNodes(element, this.t);
    await this.model.ensureLoaded();
    return rootNodes(this.model.groups());
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    const item = treeItem(runsNodeModel(node, this.t, Date.now() / 1000));
    if (node.kind === 'environment') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Registers the view; its visibility is reported to the model, which polls only while it is seen. */
export function registerRunsView(model: RunsModel, t: Translate): vscode.Disposable {
  const provider = new RunsTreeProvider(model, t);
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
