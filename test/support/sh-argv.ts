/** What a real `sh` makes of a command line: its words, one per argument, exactly as the shell splits them. */
import { execFileSync } from 'node:child_process';

/** What a real POSIX shell makes of a command line: its argv, split on NUL. */
export function shellArgv(commandLine: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${commandLine}`]);
  return out.toString('utf8').split('\0').slice(0, -1);
}
