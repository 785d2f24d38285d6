import type { Translate } from '../l10n';
import type { Services } from '../services';

/**
 * One command of the extension. Adding a command is this object in its own file plus one line in
 * commands/index.ts (and its entry under `contributes.commands`, which the package test checks).
 */
export interface GpuCommand {
  readonly id: `gpuEnv.${string}`;
  /** The palette title without the "GPU" category, as in package.nls.json; used in messages. */
  title(t: Translate): string;
  run(services: Services, ...args: unknown[]): Promise<void>;
}
