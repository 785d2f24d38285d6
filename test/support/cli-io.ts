/** A CliIo whose stdout and stderr are collected as text, with its own abort. */
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command';

export interface TestIo extends CliIo {
  out(): string;
  err(): string;
  abort(): void;
}

export function testIo(isTTY = false): TestIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const controller = new AbortController();
  return {
    stdout, stderr, isTTY, env: {}, cwd: '/', signal: controller.signal,
    out: () => out, err: () => err, abort: () => controller.abort(),
  };
}
