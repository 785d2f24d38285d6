/**
 * The sidebar "GPU Monitor" webview view: one card per GPU, the environment's CPU and memory, the
 * "no GPU" reason when there is none, and a stale warning when samples stop. Every `gpu` message
 * is a complete snapshot, so a view that was hidden simply shows the next one.
 */
import { PROTOCOL_VERSION } from '../../src/shared/protocol/common';
import { parseMonitorHostMessage, type GpuPanelSnapshot, type MonitorHostMessage, type MonitorWebviewMessage } from '../../src/shared/protocol/monitor';
import { el, setText } from '../dashboard/dom';
import { readPalette, watchTheme } from '../dashboard/theme';
import { connectToHost } from '../dashboard/vscode-api';
import { GpuCardView } from './gpu-card';
import { environmentMemoryText } from './memory-text';

const host = connectToHost<MonitorHostMessage, MonitorWebviewMessage>(parseMonitorHostMessage);
let palette = readPalette();
let latest: GpuPanelSnapshot | undefined;
const cards = new Map<number, GpuCardView>();

const envLine = el('div', { className: 'env-line' });
const staleLine = el('div', { className: 'stale-line', attrs: { role: 'status' } });
const reason = el('div', { className: 'no-gpu', attrs: { role: 'status' } });
const cardList = el('div', { className: 'cards' });
const openButton = document.createElement('a');
openButton.className = 'open-dashboard';
openButton.href = '#';
openButton.textContent = 'Open training dashboard';
openButton.addEventListener('click', (event) => {
  event.preventDefault();
  host.post({ type: 'openDashboard', run: null });
});

function render(snapshot: GpuPanelSnapshot): void {
  latest = snapshot;
  const now = snapshot.time ?? Date.now() / 1000;
  setText(envLine, describeEnv(snapshot));
  staleLine.hidden = !snapshot.stale;
  setText(staleLine, snapshot.time === null ? '' : `No new sample since ${new Date(snapshot.time * 1000).toLocaleTimeString()}; figures are stale.`);
  reason.hidden = snapshot.noGpuReason === null && snapshot.time !== null;
  setText(reason, snapshot.noGpuReason ?? (snapshot.time === null ? 'Waiting for the first GPU sample…' : ''));
  syncCards(snapshot, now);
}

function syncCards(snapshot: GpuPanelSnapshot, now: number): void {
  const present = new Set(snapshot.cards.map((c) => c.index));
  for (const [index, view] of cards) {
    if (!present.has(index)) {
      view.root.remove();
      cards.delete(index);
    }
  }
  for (const card of snapshot.cards) {
    let view = cards.get(card.index);
    if (!view) {
      view = new GpuCardView((run) => host.post({ type: 'openDashboard', run }));
      cards.set(card.index, view);
    }
    cardList.append(view.root); // keeps DOM order = snapshot order
    view.update(card, palette, now);
  }
}

function describeEnv(s: GpuPanelSnapshot): string {
  const parts: string[] = [];
  if (s.env !== null) parts.push(s.env);
  if (s.usage?.cpuPct !== null && s.usage?.cpuPct !== undefined) parts.push(`CPU ${Math.round(s.usage.cpuPct)} %`);
  if (s.usage?.memUsedMiB !== null && s.usage?.memUsedMiB !== undefined) {
    parts.push(`RAM ${environmentMemoryText(s.usage.memUsedMiB, s.usage.memTotalMiB)}`);
  }
  return parts.join(' · ');
}

function handle(message: MonitorHostMessage): void {
  render(message.snapshot);
}

function redrawAll(): void {
  palette = readPalette();
  const now = latest?.time ?? Date.now() / 1000;
  for (const view of cards.values()) view.redraw(palette, now);
}

document.body.append(el('div', { className: 'monitor' }, envLine, staleLine, reason, cardList, openButton));
reason.textContent = 'Waiting for the first GPU sample…';
host.onMessage(handle);
watchTheme(redrawAll);
new ResizeObserver(redrawAll).observe(cardList);
host.post({ type: 'ready', view: 'monitor', protocol: PROTOCOL_VERSION });
