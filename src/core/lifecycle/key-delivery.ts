/**
 * What a new environment's first start needs from the client, handed to its entrypoint on standard
 * input as a tar archive: the SSH keys (generated here, never in the container's configuration,
 * where `docker inspect` shows environment, labels and command line to anyone who may list
 * containers), and gpu-env's runner with the environment's run key (so the first start can resume
 * this environment's runs, as every later one does). Standard input instead of the engine's archive
 * upload, which costs a round of its own before the start (40-50 ms: the engine mounts the
 * container and runs its untar helper): the client attaches while the container starts and writes
 * once both are done; the entrypoint reads the archive once it has prepared the user (standard
 * input stays open, and empty, until then).
 */
import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { pack } from 'tar-stream';
import { GpuEnvError } from '../errors';

export interface FirstStartFiles {
  /** The line for authorized_keys. */
  readonly userPublicKey: string;
  /** The sshd host key, OpenSSH PEM. */
  readonly hostPrivateKey: string;
  /** The key that seals this environment's runs (etc/gpu-env/run_key, root:runKeyGid 0440). */
  readonly runKey: string;
  readonly runKeyGid: number;
  /** gpu-env's runner (opt/gpu-env/gpu_env_run.py, root's, 0755). */
  readonly runner: Buffer;
}

/** The archive the entrypoint extracts: names relative to its staging folder, modes and owners as they stay. */
export async function firstStartArchive(files: FirstStartFiles): Promise<Buffer> {
  const line = files.userPublicKey.trim();
  if (line === '' || /[\r\n]/.test(line)) throw new GpuEnvError('the public key for authorized_keys must be one line');
  const host = files.hostPrivateKey.endsWith('\n') ? files.hostPrivateKey : `${files.hostPrivateKey}\n`;
  if (!host.startsWith('-----BEGIN ')) throw new GpuEnvError('the host key is not a PEM private key');
  if (!/^[0-9a-f]{16,}$/.test(files.runKey)) throw new GpuEnvError('the run key is not a hex string');
  const archive = pack();
  archive.entry({ name: 'authorized_keys', mode: 0o644, uid: 0, gid: 0 }, `${line}\n`);
  archive.entry({ name: 'ssh_host_ed25519_key', mode: 0o600, uid: 0, gid: 0 }, host);
  archive.entry({ name: 'run_key', mode: 0o440, uid: 0, gid: files.runKeyGid }, `${files.runKey}\n`);
  archive.entry({ name: 'gpu_env_run.py', mode: 0o755, uid: 0, gid: 0 }, files.runner);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface FirstStartChannel {
  /** Writes the archive and closes standard input (call right after the start). */
  send(archive: Buffer): Promise<void>;
  /** Closes it without sending (the start failed). */
  close(): void;
}

/** Attaches to a created container's standard input (as it starts, or before). */
export async function attachFirstStartChannel(container: Docker.Container, signal?: AbortSignal): Promise<FirstStartChannel> {
  const stream = (await container.attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true, ...(signal ? { abortSignal: signal } : {}) })) as Duplex;
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  return {
    send: (archive) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        stream.end(archive, () => (failure ? reject(failure) : resolve()));
      }),
    close: () => stream.destroy(),
  };
}
