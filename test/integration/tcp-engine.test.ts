/**
 * Issue 16 defect 8: tcp:// engines. The real engine behind two real TCP sockets: one on this
 * machine's loopback (works: the environment's SSH port is published on this machine's loopback and
 * the workspace is this machine's folder), and one in a container's own network namespace, standing
 * for another machine (refused before anything is created: its published ports and bind mounts
 * would be that machine's).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, productContainers, removeDir, runCli, tempDir, userWorkspace, waitFor } from './harness-env';

const NAME = 'itest-tcp';
const FORWARDER = 'gpu-env-itest-tcp-forwarder';
const ENGINE_SOCKET = DOCKER_HOST.replace(/^unix:\/\//, '');

/** A TCP to Unix socket forwarder in Python, run in a container of its own (its own network namespace). */
const FORWARDER_SCRIPT = `
import socket, threading
def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
server = socket.create_server(("0.0.0.0", 2375))
while True:
    client, _ = server.accept()
    engine = socket.socket(socket.AF_UNIX)
    engine.connect("/engine.sock")
    threading.Thread(target=pump, args=(client, engine), daemon=True).start()
    threading.Thread(target=pump, args=(engine, client), daemon=True).start()
`;

describe.skipIf(!HARNESS_READY)(`tcp:// engines${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let loopback: Server;
  const sockets = new Set<Socket>();
  let loopbackUrl = '';
  let otherMachineUrl = '';
  let workspace = '';
  let stateDir = '';

  beforeAll(async () => {
    loopback = createServer((client) => {
      const engine = connect(ENGINE_SOCKET);
      for (const s of [client, engine]) {
        sockets.add(s);
        s.on('error', () => undefined).on('close', () => sockets.delete(s));
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((done) => loopback.listen(0, '127.0.0.1', done));
    loopbackUrl = `tcp://127.0.0.1:${(loopback.address() as { port: number }).port}`;

    await docker().getContainer(FORWARDER).remove({ force: true }).catch(() => undefined);
    const forwarder = await docker().createContainer({
      name: FORWARDER, Image: BASE_IMAGE, Entrypoint: ['python3', '-c', FORWARDER_SCRIPT], User: 'root',
      HostConfig: { Mounts: [{ Type: 'bind', Source: ENGINE_SOCKET, Target: '/engine.sock' }] },
    });
    await forwarder.start();
    const ip = Object.values((await forwarder.inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    otherMachineUrl = `tcp://${ip}:2375`;
    // The address really reaches the engine: a refusal below is not an engine that does not answer.
    await waitFor(`the engine through ${otherMachineUrl}`, 30_000, async () => (await new Docker({ protocol: 'http', host: ip, port: 2375 }).ping().then(() => true, () => undefined)));
    workspace = userWorkspace('tcp-ws');
    stateDir = tempDir('tcp-state');
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    await docker().getContainer(FORWARDER).remove({ force: true }).catch(() => undefined);
    for (const s of sockets) s.destroy();
    await new Promise<void>((done) => (loopback ? loopback.close(() => done()) : done()));
    for (const dir of [workspace, stateDir]) if (dir) removeDir(dir);
  });

  it('an engine on another machine is refused before anything is made, saying why and to use ssh://', async () => {
    const env = { GPU_ENV_STATE_DIR: stateDir, DOCKER_HOST: '' };
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE, '--host', otherMachineUrl], env);
    expect(up.code, up.stderr).toBe(2);
    const ip = otherMachineUrl.replace(/^tcp:\/\/|:2375$/g, '');
    expect(up.stderr).toContain(`the Docker engine at ${otherMachineUrl} (from --host) is on another machine (${ip}), which gpu-env cannot use over tcp://`);
    expect(up.stderr).toContain(`Use ssh://[user@]${ip} instead`);
    expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
    // From DOCKER_HOST, and for every command, not only up.
    const ls = await runCli(['ls'], { GPU_ENV_STATE_DIR: stateDir, DOCKER_HOST: otherMachineUrl });
    expect(ls.code, ls.stderr).toBe(2);
    expect(ls.stderr).toContain(`the Docker engine at ${otherMachineUrl} (from DOCKER_HOST) is on another machine`);
  });

  it('an engine on this machine\'s loopback works: up, SSH into it, ls, rm', async () => {
    const env = { GPU_ENV_STATE_DIR: stateDir, DOCKER_HOST: loopbackUrl };
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(up.code, up.stderr).toBe(0);
    const exec = await runCli(['exec', NAME, '--', 'sh', '-c', 'id -un; ls -d /workspace'], env, 60_000);
    expect([exec.code, exec.stdout], exec.stderr).toEqual([0, 'dev\n/workspace\n']);
    const ls = await runCli(['ls'], env);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain(NAME);
    expect((await runCli(['rm', NAME], env)).code).toBe(0);
    expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
  });
});
