/**
 * Errors the user can act on. `usage` means the input was wrong (CLI exit 2, nothing was created);
 * `failure` means a valid request could not be carried out (exit 1).
 */
export class GpuEnvError extends Error {
  constructor(
    message: string,
    readonly kind: 'usage' | 'failure' = 'failure',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind === 'usage' ? 'UsageError' : 'GpuEnvError';
  }
}

export function usageError(message: string): GpuEnvError {
  return new GpuEnvError(message, 'usage');
}

export function isUsageError(error: unknown): boolean {
  return error instanceof GpuEnvError && error.kind === 'usage';
}

/** The message of any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
