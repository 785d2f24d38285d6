/**
 * Parses `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output into devices.
 *
 * Real output is messier than the format name suggests (fixtures in test/fixtures/gpu/):
 * unsupported values read `[N/A]`, `[Not Supported]`, bare `N/A` or
 * `[Requested functionality has been deprecated]`; with a header, values carry units ("36 %",
 * "106.56 W", "11175 MiB"); MIG-enabled GPUs report no utilisation; when the driver is
 * unreachable nvidia-smi prints an English sentence instead of CSV. This parser never throws:
 * each row becomes a device or a typed rejection.
 */
import type { GpuDevice } from './types';
import { type DeviceCandidate, toGpuDevice } from './device-fields';

export interface SmiCsvRowRejection {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly reason: string;
}

export interface SmiCsvResult {
  readonly devices: readonly GpuDevice[];
  readonly rejected: readonly SmiCsvRowRejection[];
  /** nvidia-smi's own error message, when it printed one instead of CSV. */
  readonly failure: string | null;
  readonly warnings: readonly string[];
}

export interface SmiCsvOptions {
  /** The --query-gpu list, for noheader output. A header line in the input overrides it. */
  readonly fields?: readonly string[];
}

const MAX_DEVICE_ROWS = 64;
const MAX_REJECTIONS = 32;
const MAX_LINE_CHARS = 65_536;
const MAX_LINES = 4096;
const MIB = 1024 * 1024;

type CellKind = 'integer' | 'number' | 'mebibytes' | 'text' | 'pstate' | 'mig-mode';

interface Column {
  readonly key: keyof GpuDevice;
  readonly kind: CellKind;
  /** The unit nvidia-smi prints after the value when `nounits` is not given. */
  readonly unit?: string;
}

// nvidia-smi accepts several names for one property (`nvidia-smi --help-query-gpu`).
const ALIASES: Readonly<Record<string, string>> = {
  gpu_name: 'name',
  gpu_uuid: 'uuid',
  'clocks.sm': 'clocks.current.sm',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.mem': 'clocks.current.memory',
  'enforced.power.limit': 'power.limit.enforced',
};

const COLUMNS: Readonly<Record<string, Column>> = {
  index: { key: 'index', kind: 'integer' },
  uuid: { key: 'uuid', kind: 'text' },
  name: { key: 'name', kind: 'text' },
  'utilization.gpu': { key: 'utilizationGpuPercent', kind: 'number', unit: '%' },
  'utilization.memory': { key: 'utilizationMemoryPercent', kind: 'number', unit: '%' },
  'memory.used': { key: 'memoryUsedBytes', kind: 'mebibytes', unit: 'MiB' },
  'memory.total': { key: 'memoryTotalBytes', kind: 'mebibytes', unit: 'MiB' },
  'temperature.gpu': { key: 'temperatureC', kind: 'number' },
  'power.draw': { key: 'powerDrawW', kind: 'number', unit: 'W' },
  'power.limit': { key: 'powerLimitW', kind: 'number', unit: 'W' },
  'power.limit.enforced': { key: 'powerLimitW', kind: 'number', unit: 'W' },
  'clocks.current.sm': { key: 'smClockMHz', kind: 'number', unit: 'MHz' },
  'fan.speed': { key: 'fanPercent', kind: 'number', unit: '%' },
  pstate: { key: 'pstate', kind: 'pstate' },
  'mig.mode.current': { key: 'migEnabled', kind: 'mig-mode' },
};

// What nvidia-smi prints on stdout instead of CSV when it cannot do its job.
const FAILURE_PATTERNS: readonly RegExp[] = [
  /NVIDIA-SMI has failed/i,
  /Failed to initialize NVML/i,
  /couldn't communicate with the NVIDIA driver/i,
  /No devices were found/i,
  /Unable to determine the device handle/i,
  /Driver\/library version mismatch/i,
];

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(?:\s*([A-Za-z%]+))?$/;
const HEADER_CELL = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\s*\[([^\]]*)\])?$/;

export function canonicalField(name: string): string {
  const trimmed = name.trim();
  return ALIASES[trimmed] ?? trimmed;
}

function splitCells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

/** A header line: every cell is a property name (with an optional [unit]) and one is known. */
function headerFields(cells: readonly string[]): string[] | null {
  const names: string[] = [];
  for (const cell of cells) {
    const match = HEADER_CELL.exec(cell);
    if (match === null || match[1] === undefined) return null;
    names.push(canonicalField(match[1]));
  }
  return names.some((name) => name in COLUMNS) ? names : null;
}

/** `[N/A]`, `[Not Supported]`, `N/A`, empty: the property has no value on this GPU. */
function isNoValue(cell: string): boolean {
  return cell === '' || cell === 'N/A' || (cell.startsWith('[') && cell.endsWith(']'));
}

function parseNumber(cell: string, unit: string | undefined): number | null {
  const match = NUMBER_WITH_UNIT.exec(cell);
  if (match === null || match[1] === undefined) return null;
  if (match[2] !== undefined && match[2] !== unit) return null;
  return Number(match[1]);
}

function cellValue(cell: string, column: Column): unknown {
  if (isNoValue(cell)) return null;
  switch (column.kind) {
    case 'integer':
      return /^\d+$/.test(cell) ? Number(cell) : null;
    case 'number':
      return parseNumber(cell, column.unit);
    case 'mebibytes': {
      const mib = parseNumber(cell, column.unit);
      return mib === null ? null : Math.round(mib * MIB);
    }
    case 'pstate':
      return cell;
    case 'mig-mode':
      return cell === 'Enabled' ? true : cell === 'Disabled' ? false : null;
    case 'text':
      return cell;
  }
}

/**
 * A GPU name containing a comma would shift every later column; nvidia-smi does not quote.
 * When there are surplus cells and a name column, give the surplus back to the name.
 */
function alignCells(cells: string[], fields: readonly string[]): string[] | null {
  if (cells.length === fields.length) return cells;
  const nameAt = fields.indexOf('name');
  if (cells.length < fields.length || nameAt < 0) return null;
  const surplus = cells.length - fields.length;
  const name = cells.slice(nameAt, nameAt + surplus + 1).join(', ');
  return [...cells.slice(0, nameAt), name, ...cells.slice(nameAt + surplus + 1)];
}

function rowToDevice(cells: readonly string[], fields: readonly string[], warnings: string[]) {
  const candidate: Partial<Record<keyof GpuDevice, unknown>> = {};
  fields.forEach((field, i) => {
    const column = COLUMNS[field];
    const cell = cells[i];
    if (column === undefined || cell === undefined) return;
    // The enforced limit is what throttles the GPU; it wins over the configured one.
    if (field === 'power.limit' && candidate.powerLimitW != null) return;
    const value = cellValue(cell, column);
    if (value !== null || candidate[column.key] === undefined) candidate[column.key] = value;
  });
  if (!fields.includes('mig.mode.current')) candidate.migEnabled = null;
  return toGpuDevice(candidate as DeviceCandidate, warnings);
}

function toLines(input: string | readonly string[]): readonly string[] {
  const text = typeof input === 'string' ? input : input.join('\n');
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).slice(0, MAX_LINES);
}

export function parseNvidiaSmiCsv(
  input: string | readonly string[],
  options: SmiCsvOptions = {},
): SmiCsvResult {
  let fields: readonly string[] | null = options.fields ? options.fields.map(canonicalField) : null;
  const devices: GpuDevice[] = [];
  const rejected: SmiCsvRowRejection[] = [];
  const warnings: string[] = [];
  let failure: string | null = null;
  const reject = (line: number, reason: string) => {
    if (rejected.length < MAX_REJECTIONS) rejected.push({ line, reason });
  };

  toLines(input).forEach((raw, i) => {
    const line = raw.trim();
    const lineNumber = i + 1;
    if (line === '') return;
    if (line.length > MAX_LINE_CHARS) return reject(lineNumber, 'line too long');
    if (FAILURE_PATTERNS.some((pattern) => pattern.test(line))) {
      failure ??= line.slice(0, 300);
      return reject(lineNumber, 'nvidia-smi reported an error');
    }
    const cells = splitCells(line);
    const header = headerFields(cells);
    if (header !== null) {
      fields = header;
      return;
    }
    if (fields === null) return reject(lineNumber, 'no header line and no field list');
    const aligned = alignCells(cells, fields);
    if (aligned === null) {
      return reject(lineNumber, `expected ${fields.length} cells, found ${cells.length}`);
    }
    if (devices.length >= MAX_DEVICE_ROWS) {
      if (!warnings.includes('too many GPU rows')) warnings.push('too many GPU rows');
      return;
    }
    devices.push(rowToDevice(aligned, fields, warnings));
  });
  return { devices, rejected, failure, warnings: warnings.slice(0, 16) };
}
