// Shared helpers for the benchmarks: timing, statistics and the printed table.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
  return { median: at(0.5), min: sorted[0], max: sorted[sorted.length - 1], p95: at(0.95), n: sorted.length };
}

/** Runs a command and resolves with its wall time in ms; rejects on another exit code than `okCodes` or a timeout. */
export function timed(command, args, { env = {}, timeoutMs = 120_000, quiet = true, okCodes = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', quiet ? 'pipe' : 'inherit', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (okCodes.includes(code)) resolve({ ms, stdout, stderr, code });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export function run(command, args, options) {
  return timed(command, args, options);
}

export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

/** One printed row: a figure with median [min–max], its baseline, and the ratio. */
export function row(name, value, baseline, unit = 'ms') {
  const fmt = (s) => (unit === 'ms' ? `${formatMs(s.median)} [${formatMs(s.min)}–${formatMs(s.max)}]` : `${s.median.toFixed(1)} ${unit} [${s.min.toFixed(1)}–${s.max.toFixed(1)}]`);
  return { name, value, baseline, unit, text: [name, fmt(value), baseline ? fmt(baseline) : '-', baseline ? `${(value.median / baseline.median).toFixed(2)}×` : '-'] };
}

export function printTable(title, rows) {
  const header = ['figure', 'gpu-env (median [min–max])', 'baseline', 'ratio'];
  const cells = [header, ...rows.map((r) => r.text)];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => String(c[i]).length)));
  console.log(`\n${title}`);
  for (const c of cells) console.log(c.map((x, i) => String(x).padEnd(widths[i])).join('  '));
}

/** The 1, 5 and 15 minute load averages, printed beside figures measured on a shared machine. */
export function loadAverage() {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}
