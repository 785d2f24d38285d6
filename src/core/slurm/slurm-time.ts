/**
 * Slurm's time formats (sbatch --time, squeue's TIME_LEFT): `minutes`, `minutes:seconds`,
 * `hours:minutes:seconds`, `days-hours`, `days-hours:minutes`, `days-hours:minutes:seconds`, and
 * `UNLIMITED`/`INFINITE`. Minutes and seconds after a colon are below 60, as people mean them.
 */

export const SLURM_TIME_FORMS = 'minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds (e.g. 90, 4:00:00, 1-12)';

/** Seconds, `Infinity` for UNLIMITED/INFINITE, or undefined when `text` is none of Slurm's forms. */
export function parseSlurmDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^(unlimited|infinite)$/i.test(value)) return Infinity;
  const withDays = /^(\d{1,4})-(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$/.exec(value);
  if (withDays) {
    const [days, hours, minutes, seconds] = withDays.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
    if (hours! > 23 || minutes! > 59 || seconds! > 59) return undefined;
    return ((days! * 24 + hours!) * 60 + minutes!) * 60 + seconds!;
  }
  const parts = /^\d{1,7}(?::\d{1,2}){0,2}$/.test(value) ? value.split(':').map(Number) : undefined;
  if (!parts) return undefined;
  if (parts.length === 1) return parts[0]! * 60;
  if (parts.slice(1).some((part) => part > 59)) return undefined;
  if (parts.length === 2) return parts[0]! * 60 + parts[1]!;
  return (parts[0]! * 60 + parts[1]!) * 60 + parts[2]!;
}

/** Seconds → `D-HH:MM:SS` or `HH:MM:SS`, as Slurm prints time limits. */
export function formatSlurmDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'UNLIMITED';
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const clock = `${pad(hours)}:${pad(minutes)}:${pad(secs)}`;
  return days > 0 ? `${days}-${clock}` : clock;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
