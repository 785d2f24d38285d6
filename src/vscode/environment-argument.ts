import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import type { LocalApi } from '../core/local-api';

/** A tree item in the Environments view; commands run from its menus receive it as their argument. */
export interface EnvironmentNode {
  readonly kind: 'environment';
  readonly info: EnvironmentInfo;
}

export function isEnvironmentNode(value: unknown): value is EnvironmentNode {
  if (typeof value !== 'object' || value === null) return false;
  const node = value as { kind?: unknown; info?: { name?: unknown } };
  return node.kind === 'environment' && typeof node.info === 'object' && node.info !== null && typeof node.info.name === 'string';
}

export type EnvironmentArgument =
  | { readonly kind: 'none' }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'info'; readonly info: EnvironmentInfo };

/**
 * What a command was invoked with: nothing (palette), a tree item, or a name (status bar, another
 * command, a keybinding's `args`). Names from outside are validated like the CLI's; anything else is
 * ignored, as VS Code passes unrelated arguments from some menus.
 */
export function environmentArgument(arg: unknown, core: Pick<LocalApi, 'validateName'>): EnvironmentArgument {
  if (typeof arg === 'string') return { kind: 'name', name: core.validateName('environment name', arg) };
  if (isEnvironmentNode(arg)) return { kind: 'info', info: arg.info };
  return { kind: 'none' };
}
