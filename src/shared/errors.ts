/**
 * Errors the user can act on. `usage` means the input was wrong (CLI exit 2, nothing was created);
 * `failure` means a valid request could not be carried out (exit 1). Shared by every layer: the
 * extension reports errors (and makes its own usage errors, for settings) before its core loads.
 */

/**
 * Marks gpu-env's errors in a way that holds across bundles: the CLI's dispatcher (dist/cli.js)
 * and the extension (dist/extension.js) each have their own copy of this class, while the errors
 * come from the commands' or the core's bundle, so `instanceof` alone would miss them.
 */
const GPU_ENV_ERROR = Symbol.for('gpu-env.error');

export class GpuEnvError extends Error {
  readonly [GPU_ENV_ERROR] = true;

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

export function isGpuEnvError(error: unknown): error is GpuEnvError {
  return error instanceof Error && (error as Partial<Record<typeof GPU_ENV_ERROR, unknown>>)[GPU_ENV_ERROR] === true;
}

export function isUsageError(error: unknown): boolean {
  return isGpuEnvError(error) && error.kind === 'usage';
}

/** The message of any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The first `code` (ENOENT, EACCES, …) along the error's cause chain. */
export function errorCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
