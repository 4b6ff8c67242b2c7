import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameGuard } from '../../server/src/lsp/frameGuard';

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

async function run(chunks: string[]): Promise<{ output: string; skipped: { bytes: number; reason: string }[] }> {
  const skipped: { bytes: number; reason: string }[] = [];
  const guard = new FrameGuard((bytes, reason) => skipped.push({ bytes, reason }));
  let output = '';
  guard.on('data', (data: Buffer) => (output += data.toString('utf8')));
  for (const chunk of chunks) guard.write(Buffer.from(chunk, 'utf8'));
  guard.end();
  await new Promise((resolve) => guard.on('end', resolve));
  return { output, skipped };
}

test('well-formed frames pass unchanged, even split mid-header and mid-body', async () => {
  const stream = frame('{"a":1}') + frame('{"b":"é"}') + 'Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}';
  const { output, skipped } = await run([stream.slice(0, 7), stream.slice(7, 30), stream.slice(30)]);
  assert.equal(output, stream);
  assert.deepEqual(skipped, []);
});

test('garbage between frames is skipped up to the next header', async () => {
  const { output, skipped } = await run([frame('{"a":1}') + 'garbage header\r\n\r\n{"x":1}' + frame('{"b":2}')]);
  assert.equal(output, frame('{"a":1}') + frame('{"b":2}'));
  assert.deepEqual(skipped, [{ bytes: 25, reason: 'a malformed header' }]);
});

test('a non-numeric or absurd length is not trusted', async () => {
  const { output, skipped } = await run(['Content-Length: lots\r\n\r\n{}' + 'Content-Length: 99999999999\r\n\r\n' + frame('{}')]);
  assert.equal(output, frame('{}'));
  assert.equal(skipped.length, 2);
});

test('a header that never ends is dropped once it is too long to be real', async () => {
  const { output, skipped } = await run(['x'.repeat(5000), frame('{}')]);
  assert.equal(output, frame('{}'));
  assert.equal(skipped[0].reason, 'a header without an end');
});

test('a body shorter than its Content-Length does not swallow the frames after it', async () => {
  const { output, skipped } = await run(['Content-Length: 100000000\r\n\r\n{}', frame('{"a":1}'), frame('{"b":2}')]);
  assert.equal(output, frame('{"a":1}') + frame('{"b":2}'));
  assert.deepEqual(skipped, [{ bytes: 'Content-Length: 100000000\r\n\r\n{}'.length, reason: 'a body shorter than its Content-Length' }]);
});

test('a large body split into many chunks, mentioning Content-Length: inside its strings, passes whole', async () => {
  const body = JSON.stringify({ text: 'Content-Length: 5\r\n'.repeat(2000) + 'x'.repeat(300_000) });
  const whole = frame(body) + frame('{}');
  const chunks: string[] = [];
  for (let i = 0; i < whole.length; i += 4096) chunks.push(whole.slice(i, i + 4096));
  const { output, skipped } = await run(chunks);
  assert.equal(output, whole);
  assert.deepEqual(skipped, []);
});

test('the header after a short body is found even when it arrives split across chunks', async () => {
  const { output, skipped } = await run(['Content-Length: 100000000\r\n\r\n{}Content-Len', 'gth: 7\r', '\n\r\n{"a":1}']);
  assert.equal(output, frame('{"a":1}'));
  assert.equal(skipped.length, 1);
});
