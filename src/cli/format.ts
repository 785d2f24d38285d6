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
    ...(info.owner !== undefined ? { owner: info.owner } : {}),
    ...(info.gpuCount !== undefined ? { gpuCount: info.gpuCount } : {}),
    idleStopMs: info.idleStopMs ?? null,
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

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from an environment (run folder names, labels) made safe for a terminal: control characters
 * (C0, DEL, C1 — ESC, CSI, OSC…) and bidirectional overrides are written as visible escapes, so
 * nothing the container wrote can move the cursor, retitle or clear the terminal, or reorder text.
 */
export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  // eslint-disable-next-line no-control-regex -- control and bidi characters are what is made visible
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n' && options.keepNewlines) return c;
    const code = c.charCodeAt(0);
    return NAMED_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** A plain table: columns padded to the widest cell; every cell made terminal-safe. */
export function table(header: readonly string[], unsafeRows: readonly (readonly string[])[]): string {
  const rows = unsafeRows.map((row) => row.map((cell) => terminalSafe(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
