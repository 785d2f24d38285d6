import { formatMs } from '../util/abort';
import { groupChecks, summaryLine } from './group';
import type { CheckStatus, DoctorReport } from './types';

const MARK: Readonly<Record<CheckStatus, string>> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/** The report for a terminal: one mark per check, what was found beneath it, then the fix. */
export function renderDoctorText(report: DoctorReport): string {
  const lines: string[] = [`gpu-env doctor${report.engine ? `: engine ${report.engine.description}` : ''}`, ''];
  for (const group of groupChecks(report)) {
    lines.push(group.environment === undefined ? 'Engine' : `Environment ${group.environment}`);
    for (const check of group.checks) {
      lines.push(`  ${MARK[check.status]} ${check.title}`);
      lines.push(...indent(check.detail, '      '));
      if (check.fix) lines.push(...indent(`fix: ${check.fix}`, '      '));
    }
    lines.push('');
  }
  lines.push(`${summaryLine(report.summary)} (${formatMs(report.durationMs)})`);
  return `${lines.join('\n')}\n`;
}

function indent(text: string, prefix: string): string[] {
  return text.split(/\r?\n/).map((line) => `${prefix}${line}`);
}
