/** Number formatting shared by the status bar text and the CLI table. */

const GIB = 1024 ** 3;
export const NO_VALUE = '–';

/** Used memory: always one decimal, so the status bar does not jitter in width ("20.1"). */
export function formatGiB(bytes: number): string {
  return (bytes / GIB).toFixed(1);
}

/** Capacity: one decimal, ".0" dropped ("24", "79.6"): a 24 GiB card is a "24 GB" card. */
export function formatGiBCapacity(bytes: number): string {
  return (bytes / GIB).toFixed(1).replace(/\.0$/, '');
}

/** "20.1/24 GB"; null when either side is unknown. */
export function formatMemoryPair(used: number | null, total: number | null): string | null {
  return used === null || total === null ? null : `${formatGiB(used)}/${formatGiBCapacity(total)} GB`;
}

export function formatPercent(percent: number | null): string {
  return percent === null ? NO_VALUE : `${Math.round(percent)}%`;
}

export function formatNumber(value: number | null, unit: string, decimals = 0): string {
  return value === null ? NO_VALUE : `${value.toFixed(decimals)}${unit}`;
}
