import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { followEngineStream } from '../../../../src/core/image/engine-stream';

describe('followEngineStream', () => {
  it('fails when any message carries errorDetail, even if the stream ends normally', async () => {
    const stream = new PassThrough();
    const done = followEngineStream(stream, 'pull of x', () => {});
    stream.write('{"status":"Pulling fs layer","id":"abc"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n');
    stream.end('{"status":"Done"}\n');
    await expect(done).rejects.toThrow('pull of x failed: manifest unknown');
  });
  it('handles messages split across chunks', async () => {
    const stream = new PassThrough();
    const seen: unknown[] = [];
    const done = followEngineStream(stream, 'build', (m) => seen.push(m));
    stream.write('{"stream":"Step 1/2');
    stream.write(' : FROM x\\n"}\n{"aux":{"ID":"sha256:1"}}');
    stream.end();
    await done;
    expect(seen).toEqual([{ stream: 'Step 1/2 : FROM x\n' }, { aux: { ID: 'sha256:1' } }]);
  });
});
