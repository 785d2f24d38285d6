import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** Strict parsing: an unknown flag or a missing value is a usage error naming the command's form. */
export function parseCommandArgs(argv: readonly string[], options: Options, usage: string): ParsedArgs {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw usageError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\nusage: ${usage}`);
  }
}

export function stringOption(values: ParsedArgs['values'], key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** Exactly one positional NAME, validated like every environment name. */
export function requireName(positionals: readonly string[], usage: string): string {
  if (positionals.length === 0) throw usageError(`missing environment NAME\nusage: ${usage}`);
  if (positionals.length > 1) throw usageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
  return positionals[0]!;
}

export const HOST_OPTION: Options = { host: { type: 'string', short: 'H' } };
export const JSON_OPTION: Options = { json: { type: 'boolean' } };
