/** The extension's own log ("GPU Environments" LogOutputChannel). Never pass key material or tokens. */
export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(): void;
}
