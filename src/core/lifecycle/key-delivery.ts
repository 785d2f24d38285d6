/**
 * The SSH keys a new environment's first start needs, handed to its entrypoint on standard input:
 * never in the container's configuration (`docker inspect` shows environment, labels and command
 * line to anyone who may list containers), and without the engine's archive upload, which costs
 * a round of its own (40-50 ms: the engine mounts the container and runs its untar helper).
 * The client attaches to standard input before the start and writes right after it, so the keys
 * are there while the entrypoint still prepares the user.
 */
import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { GpuEnvError } from '../errors';

export interface DeliveredKeys {
  /** The line for authorized_keys. */
  readonly userPublicKey: string;
  /** The sshd host key, OpenSSH PEM. */
  readonly hostPrivateKey: string;
}

/** What the entrypoint reads: the authorised key's line, then the host key up to the end. */
export function keysOnStdin(keys: DeliveredKeys): string {
  const line = keys.userPublicKey.trim();
  if (line === '' || /[\r\n]/.test(line)) throw new GpuEnvError('the public key for authorized_keys must be one line');
  const host = keys.hostPrivateKey.endsWith('\n') ? keys.hostPrivateKey : `${keys.hostPrivateKey}\n`;
  if (!host.startsWith('-----BEGIN ')) throw new GpuEnvError('the host key is not a PEM private key');
  return `${line}\n${host}`;
}

export interface KeyChannel {
  /** Writes the keys and closes standard input (call right after the start). */
  send(keys: DeliveredKeys): Promise<void>;
  /** Closes it without sending (the start failed). */
  close(): void;
}

/** Attaches to a created container's standard input (before its start). */
export async function attachKeyChannel(container: Docker.Container, signal?: AbortSignal): Promise<KeyChannel> {
  const stream = (await container.attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true, ...(signal ? { abortSignal: signal } : {}) })) as Duplex;
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  return {
    send: (keys) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end(keysOnStdin(keys), () => (failure ? reject(failure) : resolve()));
      }),
    close: () => stream.destroy(),
  };
}
