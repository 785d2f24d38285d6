import { groupChecks, summaryLine } from './group';
import type { CheckStatus, DoctorCheck, DoctorReport } from './types';

const ICON: Readonly<Record<CheckStatus, string>> = { ok: '✅', warn: '⚠️', fail: '❌', skip: '⏭️' };
const WORD: Readonly<Record<CheckStatus, string>> = { ok: 'ok', warn: 'warning', fail: 'failed', skip: 'skipped' };

/**
 * The report as Markdown for the extension. Findings quote text from the engine and the container,
 * so everything outside `code spans` is escaped: nothing found can turn into a link, HTML or markup.
 */
export function renderDoctorMarkdown(report: DoctorReport): string {
  const lines: string[] = ['# gpu-env doctor', ''];
  const engine = report.engine ? ` · engine \`${codeSafe(report.engine.url)}\` (from ${escapeMarkdown(engineSource(report))})` : '';
  lines.push(`**${report.ok ? 'No check failed' : 'Some checks failed'}:** ${summaryLine(report.summary)}${engine}`, '');
  for (const group of groupChecks(report)) {
    lines.push(group.environment === undefined ? '## Engine' : `## Environment \`${codeSafe(group.environment)}\``, '');
    for (const check of group.checks) lines.push(...renderCheck(check));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderCheck(check: DoctorCheck): string[] {
  const lines = [`- ${ICON[check.status]} ${WORD[check.status]} · **${escapeMarkdown(check.title)}**: ${inline(check.detail)}`];
  if (check.fix) lines.push(`  - **Fix:** ${inline(check.fix)}`);
  return lines;
}

function engineSource(report: DoctorReport): string {
  const engine = report.engine!;
  return engine.context ? `${engine.source} "${engine.context}"` : engine.source;
}

/** Escapes text but keeps `code spans` as they are; line breaks stay inside the list item. */
export function inline(text: string): string {
  const parts = text.split(/(`[^`\n]+`)/);
  return parts.map((part, i) => (i % 2 === 1 ? part : escapeMarkdown(part))).join('').replace(/\r?\n/g, '  \n    ');
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|&~#]/g, (c) => `\\${c}`);
}

/** A value put inside a code span: backticks would end it early. */
function codeSafe(text: string): string {
  return text.replace(/`/g, "'");
}
