/** Number and time formatting for axes, legends and status lines (locale-independent digits). */

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  if (a >= 100) return v.toFixed(0);
  return Number(v.toPrecision(4)).toString();
}

/** Axis ticks: as few digits as tell neighbouring ticks apart; null is a tick uPlot leaves blank (log axes). */
export function formatTicks(splits: readonly (number | null)[]): string[] {
  return splits.map((v) => {
    if (v === null) return '';
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
    return Number(v.toPrecision(3)).toString();
  });
}

/** Seconds since a run's start as h:mm:ss or m:ss. */
export function formatElapsed(seconds: number | null): string {
  if (seconds === null) return '';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Two digits: 7 → "07". */
function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A file-name-safe local timestamp: 20240131-235959. */
export function fileStamp(date: Date): string {
  return `${date.getFullYear()}${pad2(date.getMonth() + 1)}${pad2(date.getDate())}-${pad2(date.getHours())}${pad2(date.getMinutes())}${pad2(date.getSeconds())}`;
}

/**
 * Clock-time axis ticks on one line (uPlot's default adds a second line with the minute or date
 * under some ticks, and two of those collide on a narrow chart): hh:mm:ss when ticks are under a
 * minute apart, hh:mm otherwise; a tick on a new day (and the first, when the range spans days)
 * gets its date, "MM-DD hh:mm".
 */
export function formatClockTicks(splits: readonly (number | null)[], incrementSeconds: number): string[] {
  const dayOf = (d: Date): string => `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const valid = splits.filter((v): v is number => v !== null && Number.isFinite(v));
  const spansDays = valid.length > 1 && dayOf(new Date(valid[0]! * 1000)) !== dayOf(new Date(valid[valid.length - 1]! * 1000));
  let previousDay: string | undefined;
  return splits.map((v) => {
    if (v === null || !Number.isFinite(v)) return '';
    const d = new Date(v * 1000);
    const clock = incrementSeconds < 60 ? `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}` : `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const day = dayOf(d);
    const showDay = spansDays && day !== previousDay;
    previousDay = day;
    return showDay ? `${day} ${clock}` : clock;
  });
}
