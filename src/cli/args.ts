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
    const parsed = parseArgs({ args: withNegativeValues(argv, options), options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw usageError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\nusage: ${usage}`);
  }
}

/**
 * `--nodes -1` reaches the option's own validator (which names the accepted form) instead of
 * parseArgs' "argument is ambiguous": a negative number after a text option is its value.
 */
function withNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const long = arg.startsWith('--') ? arg.slice(2) : undefined;
    const short = !long && /^-[A-Za-z]$/.test(arg) ? Object.keys(options).find((key) => options[key]!.short === arg.slice(1)) : undefined;
    const name = long ?? short;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d+(\.\d+)?$/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A repeatable text option (`--setup A --setup B`). */
export function listOption(values: ParsedArgs['values'], key: string): string[] {
  const value = (values as Record<string, unknown>)[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
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
