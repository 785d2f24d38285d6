/**
 * An environment's memory as the monitor shows it: "1.4 / 24 GiB", and MiB below 1 GiB (an idle
 * environment uses ~100 MiB, which "0.1 GiB" or "0.0 GiB" would hide).
 */
export function environmentMemoryText(usedMiB: number, totalMiB: number | null): string {
  const total = totalMiB ? ` / ${(totalMiB / 1024).toFixed(0)} GiB` : '';
  if (usedMiB < 1024) return `${Math.round(usedMiB)} MiB${total}`;
  return `${(usedMiB / 1024).toFixed(1)}${total || ' GiB'}`;
}
