import type { ExecOptions, ExecResult, RemoteProcess } from '../ssh/session';

/**
 * Commands on the machine where an environment's workspace folder is (a remote Docker host, a
 * cluster's login node), over the SSH connection gpu-env already keeps to it. `sync` writes there.
 */
export interface WorkspaceAccess {
  /** The workspace folder there, absolute (`~` already expanded). */
  readonly path: string;
  /** For people: `me@gpu-box`, `me@login.cluster`. */
  readonly where: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** A command with streams (stdin open until ended), e.g. `tar -x` fed an archive. */
  spawn(command: string, signal?: AbortSignal): Promise<RemoteProcess>;
}
