import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../../../support/container-probe-session';
import { compilerCheck } from '../../../../../src/core/doctor/checks/compiler';

const signal = new AbortController().signal;

describe('compiler check', () => {
  it('is ok with gcc and g++, giving their versions', async () => {
    const result = await compilerCheck.run(probeTarget({
      'command -v gcc': { code: 0, stdout: '/usr/bin/gcc\n' },
      'gcc --version': { code: 0, stdout: 'gcc (Debian 14.2.0-19) 14.2.0\nCopyright\n' },
      'command -v g++': { code: 0, stdout: '/usr/bin/g++\n' },
      'g++ --version': { code: 0, stdout: 'g++ (Debian 14.2.0-19) 14.2.0\n' },
    }), signal);
    expect(result).toEqual({ status: 'ok', detail: 'C: /usr/bin/gcc (gcc (Debian 14.2.0-19) 14.2.0); C++: /usr/bin/g++ (g++ (Debian 14.2.0-19) 14.2.0).' });
  });

  it('warns without a C++ compiler, as in the official runtime images', async () => {
    const result = await compilerCheck.run(probeTarget({ 'command -v cc': { code: 0, stdout: '/usr/bin/cc\n' }, 'cc --version': { code: 0, stdout: 'cc 12\n' } }), signal);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('No C++ (g++ or c++) compiler in the container (found C: /usr/bin/cc (cc 12)): torch.compile will fail when it generates code.');
  });
});
