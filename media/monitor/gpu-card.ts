/**
 * One GPU's card in the monitor: name, utilisation and memory bars, temperature, power, the run
 * using it, who holds it (on a shared machine), and a sparkline. Built once per GPU and updated in place every second, so the sidebar
 * does not flicker or lose hover state. Its labels come from the host; all text goes in as text.
 */
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { GpuCard, GpuHolderRef } from '../../src/shared/protocol/monitor';
import type { MonitorLabels } from '../../src/shared/protocol/monitor-labels';
import { el, setText } from '../dashboard/dom';
import type { Palette } from '../dashboard/theme';
import { drawSparkline, SPARK_WINDOW_SECONDS } from './sparkline';

export class GpuCardView {
  readonly root: HTMLElement;
  private readonly name = el('span', { className: 'gpu-name' });
  private readonly index = el('span', { className: 'gpu-index' });
  private readonly util: Bar;
  private readonly mem: Bar;
  private readonly temp = el('span', { className: 'figure' });
  private readonly power = el('span', { className: 'figure' });
  private readonly run = el('a', { className: 'run-link', attrs: { href: '#', role: 'button' } });
  private readonly runRow: HTMLElement;
  private readonly holders = el('span', { className: 'holders' });
  private readonly holdersRow: HTMLElement;
  private readonly spark: HTMLCanvasElement;
  private current: GpuCard | undefined;

  constructor(
    private readonly labels: MonitorLabels,
    onOpenRun: (runId: string) => void,
  ) {
    const minutes = SPARK_WINDOW_SECONDS / 60;
    this.util = new Bar(labels.utilisation, 'util');
    this.mem = new Bar(labels.memory, 'mem');
    this.runRow = el('div', { className: 'run-row' }, el('span', { className: 'label', text: `${labels.run} ` }), this.run);
    this.holdersRow = el('div', { className: 'holders-row' }, el('span', { className: 'label', text: `${labels.heldBy} ` }), this.holders);
    this.spark = el('canvas', { className: 'sparkline', attrs: { 'aria-label': fillPlaceholders(labels.sparkline, minutes) } });
    this.run.addEventListener('click', (event) => {
      event.preventDefault();
      if (this.current?.run) onOpenRun(this.current.run.id);
    });
    this.root = el(
      'section',
      { className: 'gpu-card' },
      el('header', { className: 'gpu-header' }, this.index, this.name),
      this.util.root,
      this.mem.root,
      el('div', { className: 'figures' }, el('span', { className: 'label', text: `${labels.temperature} ` }), this.temp, el('span', { className: 'label', text: ` · ${labels.power} ` }), this.power),
      this.runRow,
      this.holdersRow,
      this.spark,
      el(
        'div',
        { className: 'spark-legend' },
        el('span', { className: 'key util', text: labels.sparkUtil }),
        el('span', { className: 'key mem', text: labels.sparkMem }),
        el('span', { className: 'span', text: fillPlaceholders(labels.sparkSpan, minutes) }),
      ),
    );
  }

  update(card: GpuCard, palette: Palette, now: number): void {
    this.current = card;
    const na = this.labels.notAvailable;
    setText(this.index, fillPlaceholders(this.labels.gpuIndex, card.index));
    setText(this.name, card.name || this.labels.unknownModel);
    this.name.title = card.name;
    this.util.set(card.utilPct, card.utilPct === null ? na : `${Math.round(card.utilPct)} %`);
    const memPct = card.memUsedMiB !== null && card.memTotalMiB ? (card.memUsedMiB / card.memTotalMiB) * 100 : null;
    this.mem.set(memPct, card.memUsedMiB === null ? na : `${gib(card.memUsedMiB)} / ${card.memTotalMiB === null ? '?' : gib(card.memTotalMiB)} GiB`);
    setText(this.temp, card.tempC === null ? na : `${Math.round(card.tempC)} °C`);
    setText(this.power, card.powerW === null ? na : `${Math.round(card.powerW)}${card.powerLimitW === null ? '' : ` / ${Math.round(card.powerLimitW)}`} W`);
    this.runRow.hidden = card.run === null;
    setText(this.run, card.run?.label ?? '');
    this.holdersRow.hidden = card.holders.length === 0;
    setText(this.holders, card.holders.map((holder) => holderText(holder, this.labels)).join(', '));
    this.holdersRow.classList.toggle('shared', card.holders.some((h) => !h.self));
    this.redraw(palette, now);
  }

  redraw(palette: Palette, now: number): void {
    if (this.current) drawSparkline(this.spark, this.current.spark, palette, now);
  }
}

class Bar {
  readonly root: HTMLElement;
  private readonly fill = el('div', { className: 'bar-fill' });
  private readonly value = el('span', { className: 'bar-value' });

  constructor(label: string, kind: string) {
    this.root = el(
      'div',
      { className: `bar-row ${kind}` },
      el('span', { className: 'label', text: label }),
      this.value,
      el('div', { className: 'bar', attrs: { role: 'progressbar', 'aria-label': label } }, this.fill),
    );
  }

  set(percent: number | null, text: string): void {
    // CSSOM writes are allowed under the CSP; style attributes in markup would not be.
    this.fill.style.width = `${percent === null ? 0 : Math.max(0, Math.min(100, percent))}%`;
    this.root.classList.toggle('unknown', percent === null);
    this.root.querySelector('.bar')?.setAttribute('aria-valuenow', percent === null ? '' : String(Math.round(percent)));
    setText(this.value, text);
  }
}

/** `alice/exp1`, `exp1` (no owner recorded) or `container web-1`; "(this one)" for the environment shown. */
function holderText(holder: GpuHolderRef, labels: MonitorLabels): string {
  const name = holder.environment === null ? fillPlaceholders(labels.container, holder.container) : holder.owner === null ? holder.environment : `${holder.owner}/${holder.environment}`;
  return holder.self ? fillPlaceholders(labels.thisEnvironment, name) : name;
}

function gib(mib: number): string {
  return (mib / 1024).toFixed(mib >= 10 * 1024 ? 0 : 1);
}
