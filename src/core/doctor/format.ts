import type { EnvironmentInfo } from '../lifecycle/environment-info';

export const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** 8589934592 → `8.0 GiB`, 67108864 → `64 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The commands that recreate an environment with the same name and workspace; the workspace files
 * and SSH keys stay (`rm` without --purge). Extra `up` flags change what needs changing.
 */
export function recreateCommands(info: Pick<EnvironmentInfo, 'name' | 'workspace'>, extraUpFlags = ''): string {
  const workspace = info.workspace !== '' ? ` --workspace ${quote(info.workspace)}` : '';
  const extra = extraUpFlags !== '' ? ` ${extraUpFlags}` : '';
  const others = extraUpFlags.includes('--base-image') ? 'the other options' : 'the --base-image and other options';
  return `\`gpu-env rm ${info.name}\` then \`gpu-env up --name ${info.name}${workspace}${extra}\` (add ${others} you created it with; the workspace files stay)`;
}

/** POSIX shell quoting for a command the user will paste. */
function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
