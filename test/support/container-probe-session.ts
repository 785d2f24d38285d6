/**
 * A container probe over a scripted SSH session: each command gets the reply its table names (exit
 * 127 for the rest), so doctor checks can be driven through every answer a container can give.
 */
import { PassThrough } from 'node:stream';
import { containerProbe, type ContainerTarget } from '../../src/core/doctor/container-probe';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import type { RemoteProcess, SshSession } from '../../src/core/ssh/session';

export interface Reply {
  readonly code: number;
  readonly stdout?: string;
  /** Output arriving after the exit status, as ssh2 sometimes delivers it. */
  readonly lateStdout?: string;
  readonly hang?: boolean;
}

/** A session that answers commands from a table and records what ran. */
export function fakeSession(replies: Readonly<Record<string, Reply>>): SshSession & { readonly ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    closed: new Promise(() => undefined),
    close: () => undefined,
    exec: () => Promise.reject(new Error('the probe must not use exec')),
    async spawn(command, options): Promise<RemoteProcess> {
      ran.push(command);
      const reply = replies[command] ?? { code: 127, stdout: '' };
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        if (reply.hang) {
          options?.signal?.addEventListener('abort', () => resolve({ code: null, signal: null }));
          return;
        }
        stdout.write(reply.stdout ?? '');
        stderr.end();
        resolve({ code: reply.code, signal: null });
        setTimeout(() => stdout.end(reply.lateStdout ?? ''), 20);
      });
      return { stdin: new PassThrough(), stdout, stderr, exit, resize: () => undefined, close: () => undefined };
    },
  };
}

function environmentInfo(gpus: string): EnvironmentInfo {
  return {
    name: 'doc1', container: 'gpu-env-doc1', id: 'abc', state: 'running', status: 'running', image: 'img', gpus,
    workspace: '/ws', engine: 'unix:///var/run/docker.sock', ssh: { host: '127.0.0.1', port: 1, user: 'dev', alias: 'gpu-env-doc1' },
  };
}

export function probeTarget(replies: Readonly<Record<string, Reply>>, gpus = 'none'): ContainerTarget & { session: ReturnType<typeof fakeSession> } {
  const session = fakeSession(replies);
  return { info: environmentInfo(gpus), probe: containerProbe(session, 'gpu-env-doc1', undefined), session };
}
