/**
 * The monitor page once the host has sent its labels: the environment line, the stale and "no GPU"
 * lines, the GPU cards and the link to the dashboard.
 */
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { GpuPanelSnapshot } from '../../src/shared/protocol/monitor';
import type { MonitorLabels } from '../../src/shared/protocol/monitor-labels';
import { el, setText } from '../dashboard/dom';
import { readPalette, watchTheme } from '../dashboard/theme';
import { GpuCardView } from './gpu-card';
import { environmentMemoryText } from './memory-text';

export class MonitorPage {
  private palette = readPalette();
  private latest: GpuPanelSnapshot | undefined;
  private readonly cards = new Map<number, GpuCardView>();
  private readonly envLine = el('div', { className: 'env-line' });
  private readonly staleLine = el('div', { className: 'stale-line', attrs: { role: 'status' } });
  private readonly reason = el('div', { className: 'no-gpu', attrs: { role: 'status' } });
  private readonly cardList = el('div', { className: 'cards' });

  constructor(
    private readonly labels: MonitorLabels,
    private readonly openDashboard: (runId: string | null) => void,
  ) {
    const openButton = el('a', { className: 'open-dashboard', text: labels.openDashboard, attrs: { href: '#' } });
    openButton.addEventListener('click', (event) => {
      event.preventDefault();
      openDashboard(null);
    });
    this.staleLine.hidden = true;
    setText(this.reason, labels.waiting);
    document.body.append(el('div', { className: 'monitor' }, this.envLine, this.staleLine, this.reason, this.cardList, openButton));
    const redraw = (): void => this.redrawAll();
    watchTheme(redraw);
    new ResizeObserver(redraw).observe(this.cardList);
  }

  render(snapshot: GpuPanelSnapshot): void {
    const { labels } = this;
    this.latest = snapshot;
    const now = snapshot.time ?? Date.now() / 1000;
    setText(this.envLine, this.describeEnv(snapshot));
    this.staleLine.hidden = !snapshot.stale;
    setText(this.staleLine, snapshot.time === null ? '' : fillPlaceholders(labels.stale, new Date(snapshot.time * 1000).toLocaleTimeString()));
    this.reason.hidden = snapshot.noGpuReason === null && snapshot.time !== null;
    setText(this.reason, snapshot.noGpuReason ?? (snapshot.time === null ? labels.waiting : ''));
    this.syncCards(snapshot, now);
  }

  private syncCards(snapshot: GpuPanelSnapshot, now: number): void {
    const present = new Set(snapshot.cards.map((c) => c.index));
    for (const [index, view] of this.cards) {
      if (!present.has(index)) {
        view.root.remove();
        this.cards.delete(index);
      }
    }
    for (const card of snapshot.cards) {
      let view = this.cards.get(card.index);
      if (!view) {
        view = new GpuCardView(this.labels, (run) => this.openDashboard(run));
        this.cards.set(card.index, view);
      }
      this.cardList.append(view.root); // keeps DOM order = snapshot order
      view.update(card, this.palette, now);
    }
  }

  private describeEnv(s: GpuPanelSnapshot): string {
    const parts: string[] = [];
    if (s.env !== null) parts.push(s.env);
    if (s.usage?.cpuPct !== null && s.usage?.cpuPct !== undefined) parts.push(`${this.labels.cpu} ${Math.round(s.usage.cpuPct)} %`);
    if (s.usage?.memUsedMiB !== null && s.usage?.memUsedMiB !== undefined) {
      parts.push(`${this.labels.ram} ${environmentMemoryText(s.usage.memUsedMiB, s.usage.memTotalMiB)}`);
    }
    return parts.join(' · ');
  }

  private redrawAll(): void {
    this.palette = readPalette();
    const now = this.latest?.time ?? Date.now() / 1000;
    for (const view of this.cards.values()) view.redraw(this.palette, now);
  }
}
