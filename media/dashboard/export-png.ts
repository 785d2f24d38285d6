/**
 * All drawn charts as one PNG (title, plot, legend per chart) on the theme's background, as a
 * data URL for the host to save. Built from uPlot's canvases, so what is saved is what is seen.
 */
import type uPlot from 'uplot';
import type { ChartView } from './chart-view';
import type { Palette } from './theme';

export function chartsToPng(views: readonly ChartView[], palette: Palette, heading: string): string | undefined {
  const plots = views
    .map((view) => ({ view, title: view.root.querySelector('.chart-title')?.textContent ?? '', plot: view.uplot }))
    .filter((p): p is { view: ChartView; title: string; plot: uPlot } => p.plot !== undefined);
  if (plots.length === 0) return undefined;
  const ratio = window.devicePixelRatio || 1;
  const pad = Math.round(12 * ratio);
  const line = Math.round(palette.fontSize * 1.6 * ratio);
  const width = Math.max(...plots.map((p) => p.plot.ctx.canvas.width)) + 2 * pad;
  const height = pad + line + plots.reduce((sum, p) => sum + line + p.plot.ctx.canvas.height + line + pad, 0);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  let y = pad;
  y = text(ctx, heading, pad, y, line, palette, ratio, true);
  for (const { view, title, plot } of plots) {
    y = text(ctx, title, pad, y, line, palette, ratio, true);
    ctx.drawImage(plot.ctx.canvas, pad, y);
    y += plot.ctx.canvas.height;
    drawLegend(ctx, view, plot, pad, y, line, palette, ratio);
    y += line + pad;
  }
  return canvas.toDataURL('image/png');
}

function text(ctx: CanvasRenderingContext2D, value: string, x: number, y: number, line: number, palette: Palette, ratio: number, bold: boolean): number {
  ctx.fillStyle = palette.foreground;
  ctx.font = `${bold ? '600 ' : ''}${Math.round(palette.fontSize * ratio)}px ${palette.font}`;
  ctx.fillText(value, x, y + line / 2);
  return y + line;
}

function drawLegend(ctx: CanvasRenderingContext2D, view: ChartView, plot: uPlot, x0: number, y: number, line: number, palette: Palette, ratio: number): void {
  ctx.font = `${Math.round(palette.fontSize * 0.9 * ratio)}px ${palette.font}`;
  let x = x0;
  plot.series.forEach((s, i) => {
    if (i === 0 || typeof s.label !== 'string' || view.isRawSeries(i)) return;
    const stroke = typeof s.stroke === 'function' ? s.stroke(plot, i) : s.stroke;
    ctx.fillStyle = typeof stroke === 'string' ? stroke : palette.foreground;
    ctx.fillRect(x, y + line / 2 - 2 * ratio, 14 * ratio, 4 * ratio);
    x += 18 * ratio;
    ctx.fillStyle = palette.foreground;
    ctx.fillText(s.label, x, y + line / 2);
    x += ctx.measureText(s.label).width + 16 * ratio;
  });
}
