// Conditional compilation whose two arms each open a block (server/src/core/c/conditionalArms.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blankTwinElseArms } from '../../server/src/core/c/conditionalArms';

const twin = ['\tlock();', '#ifdef DEBUG', '\tif (a > 1) {', '#else', '\tif (a > 2) {', '#endif', '\t\tmix();', '\t}', ''].join('\n');

test('the #else arm of a conditional whose arms open the same block is blanked, with its directives', () => {
  const out = blankTwinElseArms(twin);
  assert.equal(out.length, twin.length);
  assert.equal(out.split('\n').length, twin.split('\n').length);
  assert.deepEqual(out.split('\n').map((l) => l.trim()), ['lock();', '', 'if (a > 1) {', '', '', '', 'mix();', '}', '']);
});

test('balanced arms, #elif chains and braces in comments or strings are left alone', () => {
  const balanced = '#ifdef A\n\tx = 1;\n#else\n\tx = 2;\n#endif\n';
  assert.equal(blankTwinElseArms(balanced), balanced);
  const chain = '#if A\n\tif (a) {\n#elif B\n\tif (b) {\n#else\n\tif (c) {\n#endif\n';
  assert.equal(blankTwinElseArms(chain), chain);
  const quoted = '#ifdef A\n\tputs("{");\n#else\n\t/* { */ puts("x");\n#endif\n';
  assert.equal(blankTwinElseArms(quoted), quoted);
  const unequal = '#ifdef A\n\tif (a) {\n#else\n\tx = 2;\n#endif\n';
  assert.equal(blankTwinElseArms(unequal), unequal);
});

test('any mix of directives and braces keeps every offset and line, and never throws (seeded)', () => {
  const pool = ['#if A', '#ifdef B', '#ifndef C', '#elif D', '#else', '#endif', '\tif (x) {', '\t}', '\tx++; /* { */', '\ty = "}";', '/* open', 'close */', '\t{ {', ''];
  let seed = 20261207;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (let round = 0; round < 300; round++) {
    const lines = Array.from({ length: 1 + (next() % 40) }, () => pool[next() % pool.length]);
    const text = lines.join(next() % 2 === 0 ? '\n' : '\r\n');
    const out = blankTwinElseArms(text);
    assert.equal(out.length, text.length);
    for (let i = 0; i < text.length; i++) if (text[i] === '\n' || text[i] === '\r') assert.equal(out[i], text[i]);
  }
});
