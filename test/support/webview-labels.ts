/**
 * The webviews' `init` messages as the extension builds them: labels translated through the real
 * l10n bundle of a display language (l10n/bundle.l10n.<locale>.json; English is the messages
 * themselves), by the same translateLabels the panels use. Used by the webview tests, the
 * controllers' unit tests and bench/chart.mjs (so no vitest here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { DashboardConfig, DashboardInitMessage } from '../../src/shared/protocol/dashboard';
import { DASHBOARD_LABELS, type DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import type { MonitorInitMessage } from '../../src/shared/protocol/monitor';
import { MONITOR_LABELS, type MonitorLabels } from '../../src/shared/protocol/monitor-labels';
import type { Translate } from '../../src/vscode/l10n';
import { translateLabels } from '../../src/vscode/webview/translate-labels';

export type DisplayLanguage = 'en' | 'zh-cn';

/** As `vscode.l10n.t` with the extension's bundle for `locale`; a message missing from it throws. */
export function bundleTranslate(locale: DisplayLanguage): Translate {
  if (locale === 'en') return fillPlaceholders;
  const bundle = JSON.parse(readFileSync(join(process.cwd(), 'l10n', `bundle.l10n.${locale}.json`), 'utf8')) as Record<string, string>;
  return (message, ...args) => {
    const translated = bundle[message];
    if (translated === undefined) throw new Error(`l10n/bundle.l10n.${locale}.json has no entry for ${JSON.stringify(message)}`);
    return fillPlaceholders(translated, ...args);
  };
}

export function dashboardLabels(locale: DisplayLanguage = 'en'): DashboardLabels {
  return translateLabels(DASHBOARD_LABELS, bundleTranslate(locale));
}

export function monitorLabels(locale: DisplayLanguage = 'en'): MonitorLabels {
  return translateLabels(MONITOR_LABELS, bundleTranslate(locale));
}

export function dashboardInit(locale: DisplayLanguage = 'en', config: DashboardConfig = { smoothing: 0.6, scale: 'linear' }): DashboardInitMessage {
  return { type: 'init', locale, labels: dashboardLabels(locale), config };
}

export function monitorInit(locale: DisplayLanguage = 'en'): MonitorInitMessage {
  return { type: 'init', locale, labels: monitorLabels(locale) };
}
