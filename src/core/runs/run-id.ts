/**
 * Run ids: `YYYYMMDD-HHMMSS-xxxx` in UTC. Lexical order is start order (to the second), which is
 * what `ls` and the runs list show; the random suffix keeps two runs started in the same second
 * apart. Ids name folders and appear in shell commands, so they are also validated on the way in.
 */
import { randomBytes } from 'node:crypto';

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `random` yields the 2 bytes of the suffix; injectable so tests are deterministic. */
export function generateRunId(now: Date = new Date(), random: (size: number) => Uint8Array = randomBytes): string {
  if (Number.isNaN(now.getTime())) throw new RangeError('generateRunId: invalid date');
  const year = now.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new RangeError(`generateRunId: year ${year} does not fit YYYY`);
  const date = `${year}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const suffix = Buffer.from(random(2)).subarray(0, 2).toString('hex').padStart(4, '0');
  return `${date}-${time}-${suffix}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
