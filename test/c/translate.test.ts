// C bodies inside models: translated through the API table into model statements.

import test from 'node:test';
import assert from 'node:assert/strict';
import type * as Ast from '../../server/src/core/syntax/ast';
import { loadApiTable, loadCParser, translateCBody, type CBodyContext } from '../../server/src/core/c/index';

function ident(text: string): Ast.Identifier {
  return { kind: 'Identifier', text, start: 0, end: 0 };
}

function bind(cExpr: string, target: string[]): Ast.BindDecl {
  return {
    kind: 'BindDecl',
    cExpr: { kind: 'StringLiteral', value: cExpr, start: 0, end: 0 },
    target: { kind: 'Place', segments: target.map(ident), start: 0, end: 0 },
    start: 0,
    end: 0,
  };
}

async function context(): Promise<CBodyContext> {
  return {
    table: loadApiTable().table,
    parser: await loadCParser(),
    objects: [
      { name: 'group', members: [{ name: 'mutex', kind: 'lock' }, { name: 'dead', kind: 'flag' }, { name: 'devices', kind: 'int' }] },
      { name: 'mm', members: [{ name: 'users', kind: 'ref' }, { name: 'count', kind: 'ref' }] },
      { name: 'obj', members: [{ name: 'ref', kind: 'ref' }] },
      { name: 'domain', members: [] },
    ],
    functions: ['detach'],
    binds: [bind('g->lock', ['group', 'mutex'])],
    params: ['dev'],
  };
}

/** A compact rendering of statements, to compare against expectations. */
function render(statements: Ast.Statement[]): string[] {
  const place = (p: Ast.Expression) => (p.kind === 'Place' ? p.segments.map((s) => s.text).join('.') : p.kind);
  return statements.map((s) => {
    switch (s.kind) {
      case 'LockStatement':
        return `${s.op} ${place(s.target)}`;
      case 'RefStatement':
        return `${s.op} ${place(s.target)}`;
      case 'LifecycleStatement':
        return `${s.op} ${place(s.target)}`;
      case 'CallStatement':
        return `call ${s.callee.text}(${s.args.map(place).join(', ')})`;
      case 'ChooseStatement':
        return `${s.isMaybe ? 'maybe' : 'choose'} [${s.branches.map((b) => render(b.statements).join('; ')).join(' | ')}]`;
      case 'IfStatement':
        return `if ${s.condition.kind} [${render(s.then.statements).join('; ')}]`;
      case 'StepStatement':
        return `${s.op} ${place(s.target)}`;
      case 'ReturnStatement':
        return 'return';
      default:
        return s.kind;
    }
  });
}

test('kernel calls become model steps on bound places', async () => {
  const code = `
  mutex_lock(&group->mutex);
  mmput(mm);
  mmdrop(mm);
  kref_put(&obj->ref, release);
  kfree(domain);
  detach(dev, group);
  mutex_unlock(&g->lock);
`;
  const result = translateCBody(code, 100, await context());
  assert.deepEqual(render(result.statements), [
    'lock group.mutex',
    'put mm.users',
    'put mm.count',
    'put obj.ref',
    'free domain',
    'call detach(dev, group)',
    'unlock group.mutex',
  ]);
  assert.deepEqual(result.diagnostics, []);
  const first = result.statements[0];
  assert.equal(code.slice(first.start - 100, first.end - 100), 'mutex_lock(&group->mutex);');
});

test('undecidable conditions become choices; decidable ones stay conditions', async () => {
  const code = `
  if (list_empty(&group->devices))
    kfree(domain);
  if (kref_get_unless_zero(&obj->ref))
    kref_put(&obj->ref, release);
  if (group->dead)
    return;
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), ['maybe [free domain]', 'if TryExpression [put obj.ref]', 'if Place [return]']);
});

test('an undecidable if with an else chooses between its branches; a loop may run its body once', async () => {
  const code = `
  if (frobnicate())
    kfree(domain);
  else
    mmput(mm);
  while (more())
    mmdrop(mm);
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), ['choose [free domain | put mm.users]', 'maybe [put mm.count]']);
});

test('unknown calls and unbound names are skipped with warnings', async () => {
  const code = `
  printk("hello");
  mutex_lock(&other->lock);
  mutex_lock_interruptible(&group->mutex);
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), ['maybe [lock group.mutex]']);
  assert.deepEqual(result.diagnostics.map((d) => d.code).sort(), ['LT2019', 'LT4103']);
  assert.match(result.diagnostics.find((d) => d.code === 'LT4103')?.message ?? '', /printk\(\)/);
});

test('increments and decrements of an int member become inc and dec steps', async () => {
  const code = `
  group->devices--;
  --group->devices;
  group->devices++;
  ++group->devices;
  group->devices -= 1;
  group->devices += 1;
  group->devices -= 2;
  group->mutex++;
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), ['dec group.devices', 'dec group.devices', 'inc group.devices', 'inc group.devices', 'dec group.devices', 'inc group.devices']);
  // A step of more than one, and a counter that is not an int member, have no model meaning.
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['LT4103', 'LT4103']);
  const first = result.statements[0];
  assert.equal(code.slice(first.start, first.end), 'group->devices--;');
});
