import type { CheckStatus, DoctorCheck, DoctorReport } from './types';

export interface CheckGroup {
  /** undefined for the engine-wide checks. */
  readonly environment?: string;
  readonly checks: readonly DoctorCheck[];
}

/** Engine-wide checks first, then one group per environment in the order they ran. */
export function groupChecks(report: Pick<DoctorReport, 'checks'>): CheckGroup[] {
  const engine = report.checks.filter((check) => check.environment === undefined);
  const names = [...new Set(report.checks.flatMap((check) => (check.environment !== undefined ? [check.environment] : [])))];
  return [
    ...(engine.length > 0 ? [{ checks: engine }] : []),
    ...names.map((environment) => ({ environment, checks: report.checks.filter((check) => check.environment === environment) })),
  ];
}

/** `1 failed, 2 warnings, 6 ok, 1 skipped` */
export function summaryLine(summary: Readonly<Record<CheckStatus, number>>): string {
  return [
    `${summary.fail} failed`,
    `${summary.warn} ${summary.warn === 1 ? 'warning' : 'warnings'}`,
    `${summary.ok} ok`,
    `${summary.skip} skipped`,
  ].join(', ');
}
