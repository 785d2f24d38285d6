import type { EnvironmentInfo } from '../core/api';

export function environmentJson(info: EnvironmentInfo): object {
  return {
    name: info.name,
    container: info.container,
    state: info.state,
    image: info.image,
    gpus: info.gpus,
    workspace: info.workspace,
    engine: info.engine,
    ssh: info.ssh,
    ...(info.job ? { job: { ...info.job, ...(info.job.timeLeftSeconds === Infinity ? { timeLeftSeconds: null } : {}) } } : {}),
    ...(info.endsAt !== undefined ? { endsAt: info.endsAt } : {}),
  };
}

/** `1:02:03` / `2-01:00:00` left, `unlimited`, or `-`. */
export function timeLeftText(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (!Number.isFinite(seconds)) return 'unlimited';
  const s = Math.max(0, Math.round(seconds));
  const days = Math.floor(s / 86_400);
  const clock = `${Math.floor((s % 86_400) / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return days > 0 ? `${days}-${clock}` : clock;
}

/** A plain table: columns padded to the widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
