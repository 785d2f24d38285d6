import { describe, expect, it } from 'vitest';
import { nodeEndpoint } from '../../../../src/core/slurm/node-ssh';
import { renderHostBlock } from '../../../../src/core/ssh/openssh-config';

describe('the OpenSSH block of an environment on a cluster', () => {
  const route = { name: 'exp', jobId: '42', node: 'node2', workspace: '/home/me/gpu-env/exp', software: { kind: 'native' as const } };
  const endpoint = nodeEndpoint('/state dir', { home: '/home/me', id: 'abc', user: 'me' }, route);

  it('goes through the login node\'s block with srun --unbuffered --overlap … sshd -i as ProxyCommand', () => {
    expect(endpoint.proxyCommand).toBe(
      "ssh -F '/state dir/ssh_config' -T -o BatchMode=yes gpu-env-host-abc 'srun --unbuffered --overlap --jobid=42 --nodelist=node2 --nodes=1 --ntasks=1 /usr/sbin/sshd -i -f /home/me/.gpu-env/envs/exp/node-node2.sshd_config -E /home/me/.gpu-env/envs/exp/sshd-node2.log'",
    );
  });

  it('pins the host key under the environment\'s alias and logs in with its key only', () => {
    const block = renderHostBlock('/state', 'exp', endpoint);
    expect(block).toContain('Host gpu-env-exp\n  HostName node2\n');
    expect(block).toMatch(/StrictHostKeyChecking yes\n {2}HostKeyAlias gpu-env-exp\n/);
    expect(block).toContain(`  ProxyCommand ${endpoint.proxyCommand}\n`);
    expect(block).not.toContain('ProxyJump');
  });

  it('doubles % so that OpenSSH does not expand it', () => {
    expect(nodeEndpoint('/s', { home: '/home/50%', id: 'abc', user: 'me' }, route).proxyCommand).toContain('/home/50%%/.gpu-env');
  });
});
