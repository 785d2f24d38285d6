import { mustRunOnLogin, type Cluster } from './cluster';

export type ContainerRuntime = 'pyxis' | 'apptainer';

/**
 * Which container runtimes the cluster offers, as seen from the login node: pyxis when srun knows
 * --container-image, Apptainer when it is on the PATH. In the order gpu-env prefers them.
 */
export async function containerRuntimes(cluster: Cluster, signal?: AbortSignal): Promise<ContainerRuntime[]> {
  const found = await mustRunOnLogin(cluster, 'looking for pyxis and Apptainer', [
    'if srun --help 2>&1 | grep -q -- --container-image; then echo pyxis; fi',
    'if command -v apptainer >/dev/null 2>&1; then echo apptainer; fi',
  ].join('\n'), signal);
  return found.split('\n').filter((line): line is ContainerRuntime => line === 'pyxis' || line === 'apptainer');
}
