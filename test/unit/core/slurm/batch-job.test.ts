import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jobScript, nodeScript, sbatchArgv, sessionArgv, sshdBaseConfig, type BatchJobPlan } from '../../../../src/core/slurm/batch-job';
import { clusterPaths } from '../../../../src/core/slurm/cluster-paths';
import { CLI_SLURM_FIELDS, validateSlurmOptions } from '../../../../src/core/slurm/job-options';

const paths = clusterPaths('/home/me', 'exp');
const plan = (options: Parameters<typeof validateSlurmOptions>[0] = {}, software: BatchJobPlan['software'] = { kind: 'native' }): BatchJobPlan => ({
  name: 'exp', spec: validateSlurmOptions(options, CLI_SLURM_FIELDS), paths, workspace: '/home/me/gpu-env/exp', software,
});

describe('the batch job of an environment', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('submits with the job name, output beside the environment, the workspace as working folder and one GPU', () => {
    expect(sbatchArgv(plan())).toEqual([
      'sbatch', '--parsable', '--job-name=gpu-env-exp', '--output=/home/me/.gpu-env/envs/exp/job-%j.out', '--chdir=/home/me/gpu-env/exp',
      '--nodes=1', '--ntasks-per-node=1', '--gres=gpu:1',
    ]);
  });

  it('turns every option into its sbatch form, extra arguments last', () => {
    expect(sbatchArgv(plan({ partition: 'gpu', account: 'proj', qos: 'high', time: '4:00:00', nodes: '2', gpusPerNode: 'a100:4', cpusPerTask: '8', mem: '64G', constraint: 'ib', sbatchArgs: ['--exclusive'] })).slice(5)).toEqual([
      '--partition=gpu', '--account=proj', '--qos=high', '--time=4:00:00', '--nodes=2', '--ntasks-per-node=1', '--gres=gpu:a100:4', '--cpus-per-task=8', '--mem=64G', '--constraint=ib', '--exclusive',
    ]);
    expect(sbatchArgv(plan({ gpusPerNode: '0' }))).not.toContainEqual(expect.stringMatching(/^--gres/));
  });

  it('prepares the node directly on one node, through srun on several, then marks the job ready and holds it', () => {
    const script = jobScript(plan());
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('  bash /home/me/.gpu-env/envs/exp/node.sh\n');
    expect(script).toContain('srun --overlap --ntasks-per-node=1 bash /home/me/.gpu-env/envs/exp/node.sh');
    expect(script).toContain('touch /home/me/.gpu-env/envs/exp/ready-"$SLURM_JOB_ID"\nexec sleep infinity\n');
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('reaches a node with srun --unbuffered --overlap running sshd -i with the node\'s own config', () => {
    expect(sessionArgv({ jobId: '42', node: 'node2', paths, software: { kind: 'native' } })).toEqual([
      'srun', '--unbuffered', '--overlap', '--jobid=42', '--nodelist=node2', '--nodes=1', '--ntasks=1',
      '/usr/sbin/sshd', '-i', '-f', '/home/me/.gpu-env/envs/exp/node-node2.sshd_config', '-E', '/home/me/.gpu-env/envs/exp/sshd-node2.log',
    ]);
  });

  it('generates pyxis and Apptainer commands (untried on a real cluster)', () => {
    const pyxis = { kind: 'pyxis' as const, image: 'nvcr.io/nvidia/pytorch:24.05-py3', containerName: 'gpu-env-exp', mounts: ['/home/me'], workdir: '/home/me/gpu-env/exp' };
    expect(sessionArgv({ jobId: '42', node: 'n1', paths, software: pyxis })).toEqual([
      'srun', '--unbuffered', '--overlap', '--jobid=42', '--nodelist=n1', '--nodes=1', '--ntasks=1',
      '--container-name=gpu-env-exp', '--container-mounts=/home/me', '--container-workdir=/home/me/gpu-env/exp', '--no-container-remap-root',
      '/usr/sbin/sshd', '-i', '-f', '/home/me/.gpu-env/envs/exp/node-n1.sshd_config', '-E', '/home/me/.gpu-env/envs/exp/sshd-n1.log',
    ]);
    const pyxisScript = jobScript(plan({ containerImage: pyxis.image }, pyxis));
    expect(pyxisScript).toContain('srun --ntasks-per-node=1 --container-image=nvcr.io/nvidia/pytorch:24.05-py3 --container-name=gpu-env-exp --container-mounts=/home/me --no-container-remap-root true\n');
    expect(pyxisScript).toContain('srun --overlap --ntasks-per-node=1 --container-name=gpu-env-exp --container-mounts=/home/me --container-workdir=/home/me/gpu-env/exp --no-container-remap-root bash /home/me/.gpu-env/envs/exp/node.sh');
    expect(spawnSync('bash', ['-n'], { input: pyxisScript }).status).toBe(0);

    const apptainer = { kind: 'apptainer' as const, image: 'pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime', sif: '/home/me/.gpu-env/envs/exp/image.sif', binds: ['/home/me'] };
    expect(sessionArgv({ jobId: '42', node: 'n1', paths, software: apptainer }).slice(7, 14)).toEqual(['apptainer', 'exec', '--nv', '--bind', '/home/me', '/home/me/.gpu-env/envs/exp/image.sif', '/usr/sbin/sshd']);
    const apptainerScript = jobScript(plan({ containerImage: apptainer.image }, apptainer));
    expect(apptainerScript).toContain("[ -s /home/me/.gpu-env/envs/exp/image.sif ] || apptainer build /home/me/.gpu-env/envs/exp/image.sif docker://pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime\n");
    expect(apptainerScript).toContain('  apptainer exec --nv --bind /home/me /home/me/.gpu-env/envs/exp/image.sif bash /home/me/.gpu-env/envs/exp/node.sh\n');
  });

  it('node script (run by real bash): setup lines first, then an sshd_config whose SetEnv carries the job\'s variables', () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-env-node-script-'));
    const local = clusterPaths(dir, 'exp');
    const localPlan = { ...plan({ setup: ['export MY_VENV=/opt/venv', 'export PATH=/opt/venv/bin:$PATH'] }), paths: local };
    spawnSync('mkdir', ['-p', local.dir]);
    writeFileSync(local.sshdBase, sshdBaseConfig(local));
    writeFileSync(local.nodeScript, nodeScript(localPlan));
    const result = spawnSync('bash', [local.nodeScript], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: dir, SLURMD_NODENAME: 'node7', SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '0,1', SLURM_STEP_ID: 'batch', BAD: 'a"b', WITH_SPACE: 'a b', MULTI: 'a\nb' },
    });
    expect(result.status, result.stderr).toBe(0);
    const config = readFileSync(local.nodeConfig('node7'), 'utf8');
    expect(config.startsWith(sshdBaseConfig(local))).toBe(true);
    const setEnv = config.split('\n').find((line) => line.startsWith('SetEnv'))!;
    const values = [...setEnv.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual(expect.arrayContaining([
      'SLURM_JOB_ID=42', 'CUDA_VISIBLE_DEVICES=0,1', 'SLURMD_NODENAME=node7', 'MY_VENV=/opt/venv', 'PATH=/opt/venv/bin:/usr/bin:/bin', 'WITH_SPACE=a b',
      'GPU_ENV_ENVIRONMENT=exp', 'GPU_ENV_WORKSPACE=/home/me/gpu-env/exp', `GPU_ENV_JUPYTER_DIR=${local.jupyterDir}`,
    ]));
    expect(values.some((v) => /^(HOME|SLURM_STEP_ID|BAD|MULTI|PWD|SHLVL)=/.test(v!))).toBe(false);
  });

  it('writes an sshd_config for the user\'s inetd-mode sshd: our keys only, no PAM, no pid file', () => {
    expect(sshdBaseConfig(paths)).toContain('HostKey /home/me/.gpu-env/envs/exp/ssh_host_ed25519_key\nAuthorizedKeysFile /home/me/.gpu-env/envs/exp/authorized_keys\n');
    expect(sshdBaseConfig(paths)).toMatch(/PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nUsePAM no\nPidFile none\n/);
  });
});

describe('jobScript with idle stop', () => {
  const script = jobScript({ ...plan(), idleStopMs: 1_800_000 });
  it('holds the allocation beside the idle watcher, which watches this job\'s SSH steps and runs, and cancels the job when it stopped it', () => {
    expect(script).toContain('sleep infinity &\nholder=$!');
    expect(script).toContain(`"$python" ${paths.idleWatcher} --window-ms 1800000 --main-pid "$holder" --state ${paths.dir}/idle-"$SLURM_JOB_ID" --runs /home/me/gpu-env/exp/.gpu-env/runs --slurm-job "$SLURM_JOB_ID" &`);
    expect(script).toContain(`if [ -f ${paths.dir}/idle-"$SLURM_JOB_ID"/idle-stopped ]; then scancel "$SLURM_JOB_ID"; fi`);
    expect(script).not.toContain('exec sleep infinity');
  });
  it('without python3 on the node it says so and holds as without idle stop', () => {
    expect(script).toContain('echo "gpu-env: no python3 on $(hostname -s), so idle stop is off for this job" >&2');
  });
  it('without idle stop: exec sleep infinity, no watcher', () => {
    expect(jobScript(plan())).toContain('exec sleep infinity');
    expect(jobScript(plan())).not.toContain('gpu_env_idle.py');
  });
});
