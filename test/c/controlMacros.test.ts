// Macros that hide control flow, read from their definitions, and the arms no build compiles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { fileConstants, learnControlMacros } from '../../server/src/core/c/controlMacros';
import { blankConditionalsInExpressions, blankDeadArms } from '../../server/src/core/c/conditionalArms';

const header = fs.readFileSync('test/fixtures/cli/macros/include/debug.h', 'utf8');

test('a macro whose body always jumps, returns or stops is learned with what it does', () => {
  const macros = learnControlMacros([header]);
  assert.deepEqual(macros.get('GOTO'), { kind: 'goto', label: 0 });
  // `typeof(rc) RETURN__ret = (rc); ... return RETURN__ret;` returns its argument.
  assert.deepEqual(macros.get('RETURN'), { kind: 'return', value: 0 });
  assert.deepEqual(macros.get('RETURN_EXIT'), { kind: 'return' });
  // Through a function declared `__noreturn`.
  assert.deepEqual(macros.get('LBUG'), { kind: 'noreturn' });
  assert.deepEqual(macros.get('bug_with_loc'), { kind: 'noreturn' });
});

test('a macro that only sometimes jumps, or that defines a function, is not a control macro', () => {
  const macros = learnControlMacros([
    '#define GOTO_IF(cond, label) do { if (cond) goto label; } while (0)\n',
    '#define DEFINE_SHOW(name) static int name##_show(struct seq_file *m) { return 0; }\n',
    '#define JUMP_AWAY(rc) do { goto out; } while (0)\n',
    '#define CHECK(x) ((x) ? 0 : -EINVAL)\n',
  ]);
  assert.equal(macros.get('GOTO_IF'), undefined);
  assert.equal(macros.get('DEFINE_SHOW'), undefined);
  // A label that is not the macro's argument cannot be resolved in its user.
  assert.equal(macros.get('JUMP_AWAY'), undefined);
  assert.equal(macros.get('CHECK'), undefined);
});

test('the definitions already known win over later ones', () => {
  const known = learnControlMacros(['#define RETURN(rc) return (rc)\n']);
  const merged = learnControlMacros(['#define RETURN(rc) do { log(rc); } while (0)\n'], known);
  assert.deepEqual(merged.get('RETURN'), { kind: 'return', value: 0 });
});

test('integer macros defined once are constants; one defined twice differently, or undefined, is not', () => {
  const constants = fileConstants('#define A 0\n#define B 1 /* on */\n#define C 2\n#define C 3\n#define D 0\n#undef D\n#define E (4)\n');
  assert.deepEqual([...constants], [['A', 0], ['B', 1], ['E', 4]]);
});

test('the arms no build compiles are blanked, offsets and lines kept', () => {
  const text = ['#define OFF 0', '#if OFF', 'int dead(void) { return 1; }', '#else', 'int live(void) { return 2; }', '#endif', '#if 1', 'int on;', '#else', 'int off;', '#endif', '#ifdef CONFIG_X', 'int maybe;', '#endif', ''].join('\n');
  const blanked = blankDeadArms(text, fileConstants(text));
  assert.equal(blanked.length, text.length);
  assert.equal(blanked.split('\n').length, text.split('\n').length);
  assert.ok(!blanked.includes('dead'));
  assert.ok(blanked.includes('int live(void)'));
  assert.ok(blanked.includes('int on;'));
  assert.ok(!blanked.includes('int off;'));
  assert.ok(blanked.includes('int maybe;'));
});

test('a conditional nested in a dead arm stays dead whatever it tests', () => {
  const text = '#if 0\n#ifdef CONFIG_X\nint a;\n#else\nint b;\n#endif\n#endif\nint c;\n';
  const blanked = blankDeadArms(text, new Map());
  assert.ok(!blanked.includes('int a;') && !blanked.includes('int b;'));
  assert.ok(blanked.includes('int c;'));
});

test('a conditional inside an expression keeps its first arm as plain code', () => {
  const text = [
    'int match(struct d *d, struct p *p)',
    '{',
    '\tif (d->bus == p->bus &&',
    '#ifdef CONFIG_PCI_DOMAINS_GENERIC',
    '\t    d->domain == p->domain &&',
    '#else',
    '\t    d->legacy == p->legacy &&',
    '#endif',
    '\t    d->index == p->index)',
    '\t\treturn 1;',
    '#ifdef CONFIG_DEBUG',
    '\tlog(d);',
    '#else',
    '\tquiet(d);',
    '#endif',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
  const blanked = blankConditionalsInExpressions(text);
  assert.equal(blanked.length, text.length);
  assert.ok(blanked.includes('d->domain == p->domain &&'));
  assert.ok(!blanked.includes('legacy'));
  assert.ok(!blanked.includes('#ifdef CONFIG_PCI_DOMAINS_GENERIC'));
  // A conditional between statements stays: the analysis takes either arm.
  assert.ok(blanked.includes('#ifdef CONFIG_DEBUG') && blanked.includes('quiet(d);'));
});
