import type { UploadReport } from './upload';

/**
 * What a user should know about the templates after a run started: updated to this version, or
 * kept (edited) while this version ships different ones. Undefined when there is nothing to say.
 */
export function templatesNote(report: UploadReport, dir: string): string | undefined {
  if (report.updated.length > 0) {
    return `updated the templates in ${dir} to this version of gpu-env (${report.updated.join(', ')}); they were unedited copies of an older one`;
  }
  if (report.outdated.length > 0) {
    return `the templates in ${dir} differ from this version's and were kept as they are (edited, or copied by an older gpu-env): ${report.outdated.join(', ')}; move them aside to get this version's on the next run`;
  }
  return undefined;
}
