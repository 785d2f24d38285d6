import type { ContainerProbe, ContainerTarget } from '../container-probe';
import { ok, warn, type Check } from '../check';

interface Compiler {
  readonly language: 'C' | 'C++';
  /** Names torch.compile and Triton look for, preferred first. */
  readonly names: readonly string[];
}

const COMPILERS: readonly Compiler[] = [
  { language: 'C', names: ['gcc', 'cc'] },
  { language: 'C++', names: ['g++', 'c++'] },
];

/**
 * torch.compile's CPU code generation calls a C++ compiler and Triton builds its GPU launchers with a
 * C compiler; the official pytorch/pytorch runtime images ship neither (pytorch/pytorch#116696).
 */
export const compilerCheck: Check<ContainerTarget> = {
  id: 'compiler',
  title: 'C/C++ compiler for torch.compile',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `g++ --version` in the environment.',
  async run({ probe }) {
    const found: string[] = [];
    const missing: string[] = [];
    for (const compiler of COMPILERS) {
      const present = await firstPresent(probe, compiler.names);
      if (present) found.push(`${compiler.language}: ${present}`);
      else missing.push(`${compiler.language} (${compiler.names.join(' or ')})`);
    }
    if (missing.length === 0) return ok(`${found.join('; ')}.`);
    const detail = `No ${missing.join(' and no ')} compiler in the container${found.length > 0 ? ` (found ${found.join('; ')})` : ''}: torch.compile will fail when it generates code.`;
    const fix = 'gpu-env\'s own image build installs g++; an environment made with --image uses that image as it is. Add g++ to it (`apt-get install -y g++` in its Dockerfile), or recreate the environment with --base-image IMAGE so gpu-env builds on top of it.';
    // A warning, not a failure: training runs without torch.compile.
    return warn(detail, fix);
  },
};

async function firstPresent(probe: ContainerProbe, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    const path = await probe.which(name);
    if (!path) continue;
    const version = await probe.run(`${name} --version`);
    const firstLine = version.stdout.split(/\r?\n/)[0]?.trim();
    return version.code === 0 && firstLine ? `${path} (${firstLine})` : path;
  }
  return undefined;
}
