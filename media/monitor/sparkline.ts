/**
 * A few minutes of utilisation and memory on a small canvas: two lines, gaps where sampling
 * paused (null), scaled 0–100 %. No chart library: this redraws once a second in a sidebar.
 */
import type { GpuSpark } from '../../src/shared/protocol/monitor';
import type { Palette } from '../dashboard/theme';

export const SPARK_WINDOW_SECONDS = 300;

export function drawSparkline(canvas: HTMLCanvasElement, spark: GpuSpark, palette: Palette, now: number): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = palette.grid;
  ctx.lineWidth = ratio;
  ctx.beginPath();
  ctx.moveTo(0, height - ratio / 2);
  ctx.lineTo(width, height - ratio / 2);
  ctx.stroke();
  const x = (t: number): number => ((t - (now - SPARK_WINDOW_SECONDS)) / SPARK_WINDOW_SECONDS) * width;
  const y = (pct: number): number => height - ratio - (pct / 100) * (height - 2 * ratio);
  line(ctx, spark.t, spark.mem, x, y, palette.series[3 % palette.series.length]!, ratio, [3 * ratio, 2 * ratio]);
  line(ctx, spark.t, spark.util, x, y, palette.series[0]!, 1.5 * ratio, []);
}

function line(ctx: CanvasRenderingContext2D, t: readonly number[], v: readonly (number | null)[], x: (t: number) => number, y: (v: number) => number, colour: string, width: number, dash: number[]): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.setLineDash(dash);
  ctx.beginPath();
  let drawing = false;
  for (let i = 0; i < t.length; i++) {
    const value = v[i];
    if (value === null || value === undefined) {
      drawing = false;
      continue;
    }
    if (drawing) ctx.lineTo(x(t[i]!), y(value));
    else ctx.moveTo(x(t[i]!), y(value));
    drawing = true;
  }
  ctx.stroke();
  ctx.restore();
}
