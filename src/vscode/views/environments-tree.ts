import type { EnvironmentStore } from '../environment-store';
import type { Translate } from '../l10n';
import { childrenOf, nodeModel, treeChildren, type TreeNode } from './environment-node';
import { ModelTreeProvider } from './model-tree';

/**
 * The Environments view over the shared store: the first engine call (and the event watcher)
 * starts when the user opens it; hosts are shown open.
 */
export function environmentsTree(store: EnvironmentStore, t: Translate): ModelTreeProvider<TreeNode> {
  return new ModelTreeProvider<TreeNode>({
    onDidChange: (listener) => store.onDidChange(listener),
    ensureLoaded: () => store.ensureLoaded(),
    roots: () => treeChildren(store.current(), t),
    children: childrenOf,
    model: (node) => nodeModel(node, t),
    expanded: (node) => node.kind === 'host',
  });
}
