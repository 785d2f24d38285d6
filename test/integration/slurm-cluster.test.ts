import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runProcess, tempDir } from './harness-env';
import { COMPUTE_NODES, SLURM, SLURM_READY, SLURM_SKIP_REASON, cancelAllJobs, inNode, loginAlias, onLogin, listeningPorts, waitForJobState, writeOnLogin } from './slurm-harness';

/**
 * The test cluster itself, and the path gpu-env builds its Slurm environments on, by hand with
 * OpenSSH only: a batch job holding a stand-in GPU, then `ssh` whose ProxyCommand runs
 * `srun --unbuffered --overlap … sshd -i` on the login node, reaching the compute node as the user.
 */
describe.skipIf(!SLURM_READY)(`Slurm test cluster and the srun/sshd -i path${SLURM_READY ? '' : ` (skipped: ${SLURM_SKIP_REASON})`}`, () => {
  let local = '';
  let job = '';
  let node = '';
  const dir = `/home/${SLURM.user}/.gpu-env-harness-probe`;

  beforeAll(async () => {
    local = tempDir('slurm-probe');
    await cancelAllJobs();
  });

  afterAll(async () => {
    if (SLURM_READY) {
      await cancelAllJobs();
      await onLogin(`rm -rf ${dir}`);
    }
    removeDir(local);
  });

  it('has two idle compute nodes with two GPUs each, and munge between them', async () => {
    const result = await onLogin("sinfo -h -N -p gpu -o '%N %t %G'");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(COMPUTE_NODES.map((n) => `${n} idle gpu:2`));
    // A credential made on a compute node decodes on the controller: one key everywhere.
    const credential = inNode('node1', ['munge', '-n']).stdout;
    const decoded = spawnSync('docker', ['exec', '-i', `${SLURM.containerPrefix}-ctl`, 'unmunge'], { input: credential, encoding: 'utf8', timeout: 30_000 });
    expect(decoded.stdout).toMatch(/STATUS:\s+Success/);
  });

  it('schedules --gres=gpu:1 and sets CUDA_VISIBLE_DEVICES in the job', async () => {
    const submitted = await onLogin(`sbatch --parsable --job-name=gpu-env-harness-probe --gres=gpu:1 --wrap 'sleep 600'`);
    expect(submitted.code, submitted.stderr).toBe(0);
    job = submitted.stdout.trim();
    expect(job).toMatch(/^\d+$/);
    node = (await waitForJobState(job, 'RUNNING')).split(' ')[1]!;
    expect(COMPUTE_NODES).toContain(node);
    const step = await onLogin(`srun --overlap --jobid=${job} sh -c 'echo "$CUDA_VISIBLE_DEVICES $(hostname)"'`);
    expect(step.code, step.stderr).toBe(0);
    expect(step.stdout.trim()).toBe(`0 ${node}`);
  });

  it('reaches the compute node over `ssh` with ProxyCommand srun --unbuffered --overlap … sshd -i, as the user, no port opened', async () => {
    expect(job).not.toBe('');
    // Keys made here; the host key and sshd_config put on the shared /home, as gpu-env does.
    const user = join(local, 'user');
    const host = join(local, 'host');
    for (const key of [user, host]) expect((await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], {})).code).toBe(0);
    const config = [`HostKey ${dir}/host`, `AuthorizedKeysFile ${dir}/authorized_keys`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'PidFile none', 'SetEnv GPU_ENV_PROBE=yes', ''].join('\n');
    writeOnLogin(`${dir}/host`, `${readKey(host)}\n`);
    writeOnLogin(`${dir}/authorized_keys`, `${readKey(`${user}.pub`)}\n`);
    writeOnLogin(`${dir}/sshd_config`, config);
    const listeningBefore = listeningPorts(node as (typeof COMPUTE_NODES)[number]);
    expect(listeningBefore).toContain(6818); // slurmd's own port: the reading works
    writeFileSync(join(local, 'known_hosts'), `probe ${readKey(`${host}.pub`).split(' ').slice(0, 2).join(' ')}\n`);
    writeFileSync(join(local, 'config'), [
      'Host probe',
      `  User ${SLURM.user}`,
      `  IdentityFile ${user}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(local, 'known_hosts')}`,
      '  HostKeyAlias probe',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      `  ProxyCommand ssh -F ${SLURM.sshConfig} -o BatchMode=yes ${loginAlias()} srun --unbuffered --overlap --jobid=${job} --nodelist=${node} --ntasks=1 /usr/sbin/sshd -i -f ${dir}/sshd_config`,
      '',
    ].join('\n'));
    const started = Date.now();
    const result = await runProcess('ssh', ['-F', join(local, 'config'), 'probe', 'python3 -c "import torch,socket,os;print(torch.__version__, socket.gethostname(), os.getuid(), os.environ.get(\'GPU_ENV_PROBE\'))"'], {}, 120_000);
    console.log(`ssh through srun --overlap … sshd -i: first command in ${Date.now() - started} ms`);
    expect(result.code, result.stderr).toBe(0);
    const [version, hostname, uid, probe] = result.stdout.trim().split(' ');
    expect(version).toMatch(/^2\.6\.0/);
    expect(hostname).toBe(node);
    expect(uid).not.toBe('0');
    expect(probe).toBe('yes');
    expect(listeningPorts(node as (typeof COMPUTE_NODES)[number])).toEqual(listeningBefore);
  });
});

function readKey(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

