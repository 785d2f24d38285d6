import type { DoctorOptions, DoctorReport } from '../core/doctor/index';
import type { CoreContext } from '../core/lifecycle/context';

/** The core's doctor (src/core/doctor): checks the engine and environments, renders the report. */
export interface DoctorApi {
  runDoctor(ctx: CoreContext, options: DoctorOptions): Promise<DoctorReport>;
  renderDoctorMarkdown(report: DoctorReport): string;
}
