import * as vscode from 'vscode';
import type { EnvironmentStore } from '../environment-store';
import type { Translate } from '../l10n';
import { childrenOf, nodeModel, treeChildren, type NodeModel, type TreeNode } from './environment-node';

/**
 * The Environments view over the shared store. VS Code asks for children only while the view is
 * visible, so the first engine call (and the event watcher) starts when the user opens it.
 */
export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: EnvironmentStore,
    private readonly t: Translate,
  ) {
    this.subscription = store.onDidChange(() => this.changed.fire());
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (element) return childrenOf(element);
    await this.store.ensureLoaded();
    return treeChildren(this.store.current(), this.t);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = treeItem(nodeModel(node, this.t));
    if (node.kind === 'host') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function treeItem(model: NodeModel): vscode.TreeItem {
  const item = new vscode.TreeItem(model.label, vscode.TreeItemCollapsibleState.None);
  item.id = model.id;
  item.description = model.description;
  item.iconPath = new vscode.ThemeIcon(model.icon.id, model.icon.color ? new vscode.ThemeColor(model.icon.color) : undefined);
  item.tooltip = new vscode.MarkdownString(model.tooltip);
  if (model.contextValue) item.contextValue = model.contextValue;
  if (model.command) item.command = { command: model.command.id, title: model.command.title, ...(model.command.args ? { arguments: [...model.command.args] } : {}) };
  return item;
}
