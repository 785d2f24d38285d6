import type { FieldNames } from '../../src/core/lifecycle/request';

/** Every name in `fields`, the Slurm options' included (to check that each is a real setting or flag). */
export function allFieldNames(fields: FieldNames): string[] {
  const { slurm, ...rest } = fields;
  return [...Object.values(rest).filter((v): v is string => typeof v === 'string'), ...(slurm ? Object.values(slurm) : [])];
}
