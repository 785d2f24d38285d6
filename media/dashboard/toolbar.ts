/**
 * The dashboard's controls: run picker (several runs overlay), smoothing slider, log/linear y,
 * x axis mode, the "other metric" picker, zoom reset and exports. vscode-elements components give
 * the VS Code look; the slider is a native range input (vscode-elements has none) styled with
 * theme variables. Labels of runs and metrics are user data and go in as text.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { MAX_SMOOTHING, type RunInfo } from '../../src/shared/protocol/dashboard';
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

export class Toolbar {
  readonly root: HTMLElement;
  private readonly runs = document.createElement('vscode-multi-select') as MultiSelect;
  private readonly smoothing = el('input', { className: 'smoothing', attrs: { type: 'range', min: '0', max: String(Math.min(0.99, MAX_SMOOTHING)), step: '0.01', 'aria-label': 'Smoothing' } });
  private readonly smoothingValue = el('span', { className: 'smoothing-value' });
  private readonly log = document.createElement('vscode-checkbox') as Checkbox;
  private readonly xMode = document.createElement('vscode-single-select') as SingleSelect;
  private readonly extra = document.createElement('vscode-single-select') as SingleSelect;
  private runSignature = '';
  private extraSignature = '';

  constructor(handlers: ToolbarHandlers) {
    this.runs.className = 'run-picker';
    this.runs.setAttribute('aria-label', 'Runs');
    this.runs.addEventListener('change', () => handlers.selectRuns([...this.runs.value]));

    this.smoothing.addEventListener('input', () => setText(this.smoothingValue, this.smoothing.value));
    this.smoothing.addEventListener('change', () => handlers.setSmoothing(Number(this.smoothing.value)));

    this.log.textContent = 'Log scale';
    this.log.addEventListener('change', () => handlers.setLogScale(this.log.checked));

    this.xMode.append(option('time', 'Wall clock', true), option('elapsed', 'Since run start'));
    this.xMode.setAttribute('aria-label', 'Time axis');
    this.xMode.addEventListener('change', () => handlers.setXMode(this.xMode.value === 'elapsed' ? 'elapsed' : 'time'));

    this.extra.className = 'extra-picker';
    this.extra.setAttribute('aria-label', 'Other metric');
    this.extra.addEventListener('change', () => handlers.setExtraMetric(this.extra.value));

    this.root = el(
      'div',
      { className: 'toolbar' },
      group('Runs', this.runs),
      group('Smoothing', this.smoothing, this.smoothingValue),
      group('Time axis', this.xMode),
      el('div', { className: 'group' }, this.log),
      group('Other metric', this.extra),
      el('div', { className: 'group buttons' }, button('Reset zoom', handlers.resetZoom, true), button('Export PNG', handlers.exportPng, true), button('Export CSV', handlers.exportCsv, true)),
    );
  }

  setRuns(runs: readonly RunInfo[], selected: readonly string[]): void {
    const signature = JSON.stringify([runs.map((r) => [r.id, r.label, r.state]), selected]);
    if (signature === this.runSignature) return;
    this.runSignature = signature;
    clear(this.runs);
    // Options carry their selection too: the element reads new options after a microtask, and a
    // value set before that would be dropped.
    for (const r of runs) this.runs.append(option(r.id, `${r.label} (${r.state})`, selected.includes(r.id)));
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
