/** GPU Doctor: what stands between the user and a working GPU environment, with a fix for each. */
export { runDoctor, type DoctorOptions } from './run-doctor';
export { renderDoctorMarkdown } from './render-markdown';
export { renderDoctorText } from './render-text';
export type { CheckId, CheckStatus, DoctorCheck, DoctorEngine, DoctorReport } from './types';
