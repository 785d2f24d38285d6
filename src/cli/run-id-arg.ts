import { usageError } from '../core/errors';
import { isRunId } from '../core/runs/index';
import { validateName } from '../core/validate';

/** `NAME RUN` positionals, both validated before anything connects. */
export function nameAndRun(positionals: readonly string[], usage: string): { name: string; run: string } {
  if (positionals.length !== 2) throw usageError(`expected NAME and RUN\nusage: ${usage}`);
  const [name, run] = positionals as [string, string];
  if (!isRunId(run)) throw usageError(`RUN: "${run}" is not a run id; use the id \`gpu-env runs ${name}\` lists, like 20261124-183012-ab12`);
  return { name: validateName('NAME', name), run };
}
