import type { EnvironmentInfo } from '../core/environments';

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
  };
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
