/**
 * The dashboard's controls: run picker (several runs overlay), smoothing slider, log/linear y,
 * x axis mode, the "other metric" picker, zoom reset and exports. vscode-elements components give
 * the VS Code look; the slider is a native range input (vscode-elements has none) styled with
 * theme variables. Its own labels come from the host (in the display language); labels of runs
 * and metrics are user data. Both go in as text.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import { MAX_SMOOTHING, type RunInfo, type RunState } from '../../src/shared/protocol/dashboard';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import { clear, el, setText } from './dom';
import type { UiState, XMode } from './ui-state';

/** The parts of the vscode-elements we use (their own types are ESM-only). */
interface MultiSelect extends HTMLElement {
  value: string[];
}
interface SingleSelect extends HTMLElement {
  value: string;
}
interface Checkbox extends HTMLElement {
  checked: boolean;
}

export interface ToolbarHandlers {
  readonly selectRuns: (runs: string[]) => void;
  readonly setSmoothing: (value: number) => void;
  readonly setLogScale: (log: boolean) => void;
  readonly setXMode: (mode: XMode) => void;
  readonly setExtraMetric: (metric: string) => void;
  readonly resetZoom: () => void;
  readonly exportPng: () => void;
  readonly exportCsv: () => void;
}

const STATE_LABEL: Readonly<Record<RunState, keyof DashboardLabels>> = {
  starting: 'stateStarting',
  running: 'stateRunning',
  succeeded: 'stateSucceeded',
  failed: 'stateFailed',
  stopped: 'stateStopped',
  unknown: 'stateUnknown',
};

export class Toolbar {
  readonly root: HTMLElement;
  private readonly runs = document.createElement('vscode-multi-select') as MultiSelect;
  private readonly smoothing = el('input', { className: 'smoothing', attrs: { type: 'range', min: '0', max: String(Math.min(0.99, MAX_SMOOTHING)), step: '0.01' } });
  private readonly smoothingValue = el('span', { className: 'smoothing-value' });
  private readonly log = document.createElement('vscode-checkbox') as Checkbox;
  private readonly xMode = document.createElement('vscode-single-select') as SingleSelect;
  private readonly extra = document.createElement('vscode-single-select') as SingleSelect;
  private runSignature = '';
  private extraSignature = '';

  constructor(
    handlers: ToolbarHandlers,
    private readonly labels: DashboardLabels,
  ) {
    this.runs.className = 'run-picker';
    this.runs.setAttribute('aria-label', labels.runs);
    this.smoothing.setAttribute('aria-label', labels.smoothing);
    this.runs.addEventListener('change', () => handlers.selectRuns([...this.runs.value]));

    this.smoothing.addEventListener('input', () => setText(this.smoothingValue, this.smoothing.value));
    this.smoothing.addEventListener('change', () => handlers.setSmoothing(Number(this.smoothing.value)));

    this.log.textContent = labels.logScale;
    this.log.addEventListener('change', () => handlers.setLogScale(this.log.checked));

    this.xMode.append(option('time', labels.wallClock, true), option('elapsed', labels.sinceRunStart));
    this.xMode.setAttribute('aria-label', labels.timeAxis);
    this.xMode.addEventListener('change', () => handlers.setXMode(this.xMode.value === 'elapsed' ? 'elapsed' : 'time'));

    this.extra.className = 'extra-picker';
    this.extra.setAttribute('aria-label', labels.otherMetric);
    this.extra.addEventListener('change', () => handlers.setExtraMetric(this.extra.value));

    this.root = el(
      'div',
      { className: 'toolbar' },
      group(labels.runs, this.runs),
      group(labels.smoothing, this.smoothing, this.smoothingValue),
      group(labels.timeAxis, this.xMode),
      el('div', { className: 'group' }, this.log),
      group(labels.otherMetric, this.extra),
      el(
        'div',
        { className: 'group buttons' },
        button(labels.resetZoom, handlers.resetZoom, true),
        button(labels.exportPng, handlers.exportPng, true),
        button(labels.exportCsv, handlers.exportCsv, true),
      ),
    );
  }

  setRuns(runs: readonly RunInfo[], selected: readonly string[]): void {
    const signature = JSON.stringify([runs.map((r) => [r.id, r.label, r.state]), selected]);
    if (signature === this.runSignature) return;
    this.runSignature = signature;
    clear(this.runs);
    // Options carry their selection too: the element reads new options after a microtask, and a
    // value set before that would be dropped.
    for (const r of runs) this.runs.append(option(r.id, fillPlaceholders(this.labels.runOption, r.label, this.labels[STATE_LABEL[r.state]]), selected.includes(r.id)));
    this.runs.value = selected.filter((id) => runs.some((r) => r.id === id));
  }

  setExtraMetrics(names: readonly string[], chosen: string | null): void {
    const signature = JSON.stringify([names, chosen]);
    if (signature === this.extraSignature) return;
    this.extraSignature = signature;
    clear(this.extra);
    const value = chosen !== null && names.includes(chosen) ? chosen : names[0];
    for (const name of names) this.extra.append(option(name, name, name === value));
    this.extra.toggleAttribute('disabled', names.length === 0);
    if (value !== undefined) this.extra.value = value;
  }

  setValues(ui: UiState): void {
    this.smoothing.value = String(Math.min(Number(this.smoothing.max), ui.smoothing));
    setText(this.smoothingValue, this.smoothing.value);
    this.log.checked = ui.scale === 'log';
    this.xMode.value = ui.xMode;
  }
}

function option(value: string, label: string, selected = false): HTMLElement {
  const node = document.createElement('vscode-option');
  node.setAttribute('value', value);
  node.toggleAttribute('selected', selected);
  node.textContent = label;
  return node;
}

function group(label: string, ...controls: HTMLElement[]): HTMLElement {
  return el('div', { className: 'group' }, el('span', { className: 'group-label', text: label }), ...controls);
}

function button(label: string, onClick: () => void, secondary = false): HTMLElement {
  const node = document.createElement('vscode-button');
  node.textContent = label;
  if (secondary) node.setAttribute('secondary', '');
  node.addEventListener('click', onClick);
  return node;
}
