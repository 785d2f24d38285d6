import type { Duplex, Readable, Writable } from 'node:stream';

/** Exit of a remote command: `code` is null when it ended by a signal. */
export interface RemoteExit {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface ExecResult extends RemoteExit {
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed. */
  readonly stdin?: string | Buffer;
}

export interface SpawnOptions {
  readonly signal?: AbortSignal;
  /** Allocate a PTY of this size (interactive shells, terminals). */
  readonly pty?: { readonly cols: number; readonly rows: number; readonly term?: string };
}

/** A command running in the environment, with streams and an exit promise. */
export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exit: Promise<RemoteExit>;
  /** Resize the PTY (no-op without one). */
  resize(cols: number, rows: number): void;
  /** Close the channel; the remote side gets SIGHUP. */
  close(): void;
}

/**
 * One authenticated SSH connection to an environment, host key pinned.
 * Everything that talks to a container over SSH goes through this interface,
 * so tests and the monitor/metrics code never depend on ssh2 directly.
 */
export interface SshSession {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  spawn(command: string, options?: SpawnOptions): Promise<RemoteProcess>;
  /**
   * A TCP connection from inside the environment to `host:port` (e.g. Jupyter on its 127.0.0.1),
   * carried by this SSH connection. Optional so that test doubles written before it still fit;
   * every real session has it.
   */
  forwardOut?(host: string, port: number): Promise<Duplex>;
  /**
   * The environment's workspace folder as this session sees it: /workspace in a container, a folder
   * of the cluster's shared file system on Slurm. Absent: /workspace (sessions made before it existed).
   */
  readonly workspace?: string;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closed: Promise<void>;
  close(): void;
}
