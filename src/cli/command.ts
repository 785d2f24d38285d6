/** What a CLI command gets from the process: streams, environment and cancellation. */
export interface CliIo {
  /** Our standard input (`exec` forwards it to the remote command, as OpenSSH does). Absent: none. */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** stderr is a terminal: progress bars and live tables are allowed. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/**
 * One `gpu-env` sub-command, one file under src/cli/commands/.
 * `run` returns the exit code: 0 success, 1 failure, 2 invalid usage or input.
 * Data goes to stdout, progress and logs to stderr.
 */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** A command as `gpu-env --help` lists it; its code is loaded only when it runs (or prints its usage). */
export interface CliCommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): CliCommand;
}
