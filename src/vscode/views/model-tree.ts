import * as vscode from 'vscode';
import type { NodeModel } from './environment-node';

/**
 * What one tree view shows: a source that loads on first ask and says when it changed, and how
 * its nodes look. The Environments and Runs views are this one provider over different sources.
 */
export interface TreeSource<Node> {
  readonly onDidChange: (listener: () => void) => vscode.Disposable;
  ensureLoaded(): Promise<void>;
  roots(): Node[];
  children(node: Node): Node[];
  model(node: Node): NodeModel;
  /** Shown open from the start (a host, an environment's runs). */
  expanded(node: Node): boolean;
}

/**
 * A tree view over a TreeSource. VS Code asks for children only while the view is visible, so the
 * first load (engine list, SSH connection) happens when the user opens it.
 */
export class ModelTreeProvider<Node> implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: TreeSource<Node>) {
    this.subscription = source.onDidChange(() => this.changed.fire());
  }

  async getChildren(element?: Node): Promise<Node[]> {
    if (element) return this.source.children(element);
    await this.source.ensureLoaded();
    return this.source.roots();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const item = treeItem(this.source.model(node));
    if (this.source.expanded(node)) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
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
