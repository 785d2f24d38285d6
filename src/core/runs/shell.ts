/**
 * POSIX shell quoting for commands sent over SSH exec, which the remote login shell parses.
 * Single quotes make every byte literal; the only character needing care is the quote itself.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new RangeError('shellQuote: NUL cannot be passed in a shell argument');
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
