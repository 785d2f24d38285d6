import { GpuEnvError } from '../errors';
import { jsonLineSplitter } from '../util/json-lines';

/** One message of the engine's pull or build progress stream, as far as we use it. */
export interface EngineStreamMessage {
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
  readonly aux?: { readonly ID?: string };
}

/** The failure text of a message, if it carries one (`error` or `errorDetail`). */
export function streamError(message: EngineStreamMessage): string | undefined {
  if (typeof message.error === 'string' && message.error !== '') return message.error;
  if (message.errorDetail && typeof message.errorDetail.message === 'string') return message.errorDetail.message;
  return undefined;
}

function asMessage(value: unknown): EngineStreamMessage {
  return typeof value === 'object' && value !== null ? (value as EngineStreamMessage) : {};
}

/**
 * Consumes a progress stream to its end. Unlike docker-modem's followProgress, any message with
 * `error`/`errorDetail` fails the whole operation.
 */
export function followEngineStream(
  stream: NodeJS.ReadableStream,
  what: string,
  onMessage: (message: EngineStreamMessage) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const split = jsonLineSplitter((value) => {
      const message = asMessage(value);
      const error = streamError(message);
      if (error !== undefined && failure === undefined) failure = error;
      onMessage(message);
    });
    stream.on('data', split);
    stream.on('error', (error: Error) => reject(new GpuEnvError(`${what} failed: ${error.message}`, 'failure', { cause: error })));
    stream.on('end', () => (failure === undefined ? resolve() : reject(new GpuEnvError(`${what} failed: ${failure.trim()}`))));
  });
}
