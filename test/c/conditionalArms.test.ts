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
