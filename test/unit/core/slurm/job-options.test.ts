import { describe, expect, it } from 'vitest';
import { CLI_SLURM_FIELDS, setSlurmFields, validateSlurmOptions } from '../../../../src/core/slurm/job-options';

const validate = (input: Parameters<typeof validateSlurmOptions>[0]) => validateSlurmOptions(input, CLI_SLURM_FIELDS);

describe('Slurm job options', () => {
  it('defaults to one node with one GPU and nothing else', () => {
    expect(validate({})).toEqual({ nodes: 1, gpusPerNode: { count: 1 }, setup: [], sbatchArgs: [] });
  });

  it('keeps every valid option in the form Slurm takes it', () => {
    expect(validate({
      partition: 'gpu,debug', account: 'proj-1', qos: 'normal', time: '1-12:00', nodes: '2', gpusPerNode: 'a100:4', cpusPerTask: '8', mem: '32g',
      constraint: 'a100|h100', setup: ['module load cuda/12.4\nsource ~/venvs/torch/bin/activate', ''], containerImage: 'nvcr.io/nvidia/pytorch:24.05-py3',
      sbatchArgs: ['--mail-type=END', '--exclusive'],
    })).toEqual({
      partition: 'gpu,debug', account: 'proj-1', qos: 'normal', time: '1-12:00', timeSeconds: 36 * 3600, nodes: 2, gpusPerNode: { count: 4, type: 'a100' },
      cpusPerTask: 8, mem: '32G', constraint: 'a100|h100', setup: ['module load cuda/12.4', 'source ~/venvs/torch/bin/activate'],
      containerImage: 'nvcr.io/nvidia/pytorch:24.05-py3', sbatchArgs: ['--mail-type=END', '--exclusive'],
    });
  });

  it('accepts 0 GPUs per node (CPU only)', () => {
    expect(validate({ gpusPerNode: '0' }).gpusPerNode).toEqual({ count: 0 });
  });

  it.each([
    [{ time: '99:99:99x' }, /^--time: "99:99:99x" is not a Slurm time limit; use minutes, minutes:seconds, hours:minutes:seconds, days-hours/],
    [{ time: '0' }, /^--time: "0" is not a Slurm time limit/],
    [{ gpusPerNode: '-1' }, /^--gpus-per-node: "-1" is not a GPU count; use a whole number from 0 to 999, or TYPE:N/],
    [{ nodes: '0' }, /^--nodes: "0" is not a node count; use a whole number from 1 to 1024$/],
    [{ nodes: '1.5' }, /^--nodes: "1.5" is not a node count/],
    [{ cpusPerTask: '0' }, /^--cpus-per-task: "0" is not a CPU count; use a whole number from 1 to 4096$/],
    [{ partition: 'gpu;rm -rf ~' }, /^--partition: "gpu;rm -rf ~" is not a partition name/],
    [{ account: '$(id)' }, /^--account: "\$\(id\)" is not an account name/],
    [{ qos: 'a b' }, /^--qos: "a b" is not a QOS name/],
    [{ mem: '16 GB' }, /^--mem: "16 GB" is not a Slurm memory size; use a whole number with an optional unit K, M, G or T/],
    [{ constraint: "a100' && id" }, /^--constraint: "a100' && id" is not a constraint/],
    [{ containerImage: 'UPPER/case' }, /^--container-image: /],
    [{ sbatchArgs: ['--job-name=x'] }, /^--sbatch-arg: "--job-name=x" is set by gpu-env: gpu-env names the job gpu-env-NAME$/],
    [{ sbatchArgs: ['--time=5'] }, /^--sbatch-arg: "--time=5" is set by gpu-env: use --time$/],
    [{ sbatchArgs: ['-p', 'gpu'] }, /^--sbatch-arg: "-p" is set by gpu-env: use --partition$/],
    [{ sbatchArgs: ['mail-type=END'] }, /^--sbatch-arg: "mail-type=END" is not an sbatch option; give one option per --sbatch-arg, as --option=value/],
    [{ sbatchArgs: ['--comment=a\nb'] }, /is not an sbatch option/],
  ])('refuses %j naming the field and the accepted form', (input, message) => {
    expect(() => validate(input)).toThrow(message);
  });

  it('points a managed sbatch option at the front end\'s own field (a VS Code setting), not a CLI flag', () => {
    const settings = Object.fromEntries(Object.keys(CLI_SLURM_FIELDS).map((key) => [key, `gpuEnv.slurm.${key}`])) as unknown as typeof CLI_SLURM_FIELDS;
    expect(() => validateSlurmOptions({ sbatchArgs: ['--time=5'] }, settings)).toThrow(/^gpuEnv\.slurm\.sbatchArgs: "--time=5" is set by gpu-env: use gpuEnv\.slurm\.time$/);
  });

  it('names the fields that were set, for a Docker target to refuse', () => {
    expect(setSlurmFields({ partition: 'gpu', time: ' ', setup: ['x'], sbatchArgs: [] }, CLI_SLURM_FIELDS)).toEqual(['--partition', '--setup']);
  });
});
