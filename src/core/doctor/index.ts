/** GPU Doctor: what stands between the user and a working GPU environment, with a fix for each. */
import type { CoreContext } from '../lifecycle/context';
import { targetFor } from '../targets/target-for';
import type { DoctorOptions } from './run-doctor';
import type { DoctorReport } from './types';

export type { DoctorOptions } from './run-doctor';

/** Diagnoses the target the context names (its engine or cluster) and the environments on it. */
export function runDoctor(ctx: CoreContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  return targetFor(ctx).doctor(ctx, options);
}
export { renderDoctorMarkdown } from './render-markdown';
export { renderDoctorText } from './render-text';
export type { CheckId, CheckStatus, DoctorCheck, DoctorEngine, DoctorReport } from './types';
