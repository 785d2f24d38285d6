import { shellJoin } from '../runs/shell';

/**
 * How an environment's software reaches the compute node: the node's own (with the user's setup
 * lines), a container through pyxis/enroot (`srun --container-image`), or Apptainer. Only the first
 * runs on the test cluster; the container commands are generated and unit-tested but untried on a
 * real cluster (see docs/scaling.md).
 */
export type NodeSoftware =
  | { readonly kind: 'native' }
  | { readonly kind: 'pyxis'; readonly image: string; readonly containerName: string; readonly mounts: readonly string[]; readonly workdir: string }
  | { readonly kind: 'apptainer'; readonly image: string; readonly sif: string; readonly binds: readonly string[] };

/** What a step needs to run `argv` in the environment's software: extra srun options and the command. */
export interface StepCommand {
  readonly srunOptions: readonly string[];
  readonly argv: readonly string[];
}

/** `argv` as the environment runs it on a node (inside the container when there is one). */
export function inNodeSoftware(software: NodeSoftware, argv: readonly string[]): StepCommand {
  switch (software.kind) {
    case 'native':
      return { srunOptions: [], argv };
    case 'pyxis':
      // The container is made once per job (see prepareSoftware) and named, so every step shares it.
      return {
        srunOptions: [`--container-name=${software.containerName}`, `--container-mounts=${software.mounts.join(',')}`, `--container-workdir=${software.workdir}`, '--no-container-remap-root'],
        argv,
      };
    case 'apptainer':
      return { srunOptions: [], argv: ['apptainer', 'exec', '--nv', ...software.binds.flatMap((bind) => ['--bind', bind]), software.sif, ...argv] };
  }
}

/**
 * Shell lines the batch script runs once before the environment is ready: import the image with
 * pyxis into the named container on every node, or build Apptainer's SIF once on the shared folder.
 */
export function prepareSoftware(software: NodeSoftware): string[] {
  switch (software.kind) {
    case 'native':
      return [];
    case 'pyxis':
      return [`srun --ntasks-per-node=1 ${shellJoin([`--container-image=${software.image}`, `--container-name=${software.containerName}`, `--container-mounts=${software.mounts.join(',')}`, '--no-container-remap-root', 'true'])}`];
    case 'apptainer':
      return [`[ -s ${shellJoin([software.sif])} ] || apptainer build ${shellJoin([software.sif, `docker://${software.image}`])}`];
  }
}
