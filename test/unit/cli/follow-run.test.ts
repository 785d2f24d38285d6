/**
 * Defect 7 of issue 16: `gpu-env logs --follow` / `train --follow` dropped the run's last lines (no
 * final read after the status said finished) and gave up on the first failed read instead of
 * reconnecting. The run here is a scripted log that grows between reads, and a connection that drops.
 */
import { describe, expect, it } from 'vitest';
import { testIo } from '../../support/cli-io';
import { followRun, type ReconnectingRuns } from '../../../src/cli/follow-run';
import type { FileChunk } from '../../../src/core/runs/remote-file';
import type { RunsClient } from '../../../src/core/runs/index';
import { listing } from '../../support/runs-fakes';

const ID = '20260101-100000-aaaa';


/** A run whose log is `log` so far; `onRead` lets a test change the world between reads. */
class ScriptedRun {
  log = '';
  state: 'running' | 'succeeded' = 'running';
  failNextReads = 0;
  connections = 0;
  readonly offsets: number[] = [];
  /** Runs just before each status read answers. */
  onStatus: () => void = () => undefined;

  /** What the CLI holds: a connection that is reopened after a failure. */
  reconnecting(): ReconnectingRuns {
    let client: RunsClient | undefined;
    return {
      client: async () => (client ??= this.client()),
      drop: () => { client = undefined; },
    };
  }

  private client(): RunsClient {
    this.connections++;
    const readLog = async (_id: string, offset: number): Promise<FileChunk> => {
      this.offsets.push(offset);
      if (this.failNextReads > 0) {
        this.failNextReads--;
        throw new Error('No response from server');
      }
      const data = Buffer.from(this.log).subarray(offset);
      return { kind: 'data', offset, data, nextOffset: offset + data.length, size: Buffer.byteLength(this.log) };
    };
    const status = async () => {
      this.onStatus();
      return listing(ID, { state: this.state });
    };
    return { readLog, status, diagnose: async () => undefined } as unknown as RunsClient;
  }
}

describe('gpu-env logs --follow', () => {
  it('prints the lines the run wrote between the last read and the status saying it finished', async () => {
    const run = new ScriptedRun();
    run.log = 'epoch 1\n';
    let polls = 0;
    run.onStatus = () => {
      // The run writes its last lines and exits after the read that found nothing new.
      if (++polls === 1) {
        run.log += 'test accuracy 91.2%\n';
        run.state = 'succeeded';
      }
    };
    const cli = testIo();
    const code = await followRun(run.reconnecting(), ID, cli);
    expect(cli.out()).toBe('epoch 1\ntest accuracy 91.2%\n');
    expect(code).toBe(0);
  });

  it('reconnects after a failed read and goes on from where it was, without repeating lines', async () => {
    const run = new ScriptedRun();
    run.log = 'epoch 1\n';
    let polls = 0;
    run.onStatus = () => {
      polls++;
      if (polls === 1) {
        run.failNextReads = 2;
        run.log += 'epoch 2\n';
      }
      if (polls === 2) {
        run.log += 'epoch 3\n';
        run.state = 'succeeded';
      }
    };
    const cli = testIo();
    const code = await followRun(run.reconnecting(), ID, cli);
    expect(cli.out()).toBe('epoch 1\nepoch 2\nepoch 3\n');
    expect(code).toBe(0);
    expect(run.connections).toBe(3);
    expect(cli.err()).toMatch(/lost the connection while following run .*No response from server.*reconnecting/);
  }, 20_000);
});
