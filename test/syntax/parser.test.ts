// Targeted tests of the lexer, the parser's tree shapes and recovery, and the tree walkers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FnDecl, IfStatement, ObjectDecl, OrderDecl, ProposalDecl, ThreadDecl, Block, ExpectDecl, BindDecl, DeviceDecl } from '../../server/src/core/syntax/ast';
import { tokenize } from '../../server/src/core/syntax/lexer';
import { parse } from '../../server/src/core/syntax/parser';
import { TokenKind } from '../../server/src/core/syntax/tokens';
import { childrenOf, nodePathAt, significantTokenBefore, tokenAt } from '../../server/src/core/syntax/walk';

function kinds(text: string): TokenKind[] {
  return tokenize(text).tokens.filter((t) => t.kind !== TokenKind.Whitespace).map((t) => t.kind);
}

test('lexer: names with interior dashes, negative numbers, operators, escapes', () => {
  const { tokens, diagnostics } = tokenize('use-after-free a->b -1 x-1 .. . == != <= >= && || ! "a\\"b\\\\" // c\n/* d */');
  assert.deepEqual(diagnostics, []);
  const texts = tokens.filter((t) => t.kind !== TokenKind.Whitespace && t.kind !== TokenKind.EOF).map((t) => 'use-after-free a->b -1 x-1 .. . == != <= >= && || ! "a\\"b\\\\" // c\n/* d */'.slice(t.start, t.end));
  assert.deepEqual(texts, ['use-after-free', 'a', '->', 'b', '-1', 'x', '-1', '..', '.', '==', '!=', '<=', '>=', '&&', '||', '!', '"a\\"b\\\\"', '// c', '/* d */']);
  assert.deepEqual(kinds('0..7'), [TokenKind.Number, TokenKind.DotDot, TokenKind.Number, TokenKind.EOF]);
});

test('lexer: unterminated string and comment, unknown characters, bad numbers', () => {
  assert.deepEqual(tokenize('"abc\nx').diagnostics.map((d) => [d.code, d.start, d.end]), [['LT1003', 0, 4]]);
  assert.deepEqual(tokenize('/* abc').diagnostics.map((d) => d.code), ['LT1004']);
  assert.deepEqual(tokenize('a @# b').diagnostics.map((d) => [d.code, d.start, d.end]), [['LT1005', 2, 4]]);
  assert.deepEqual(tokenize('12ab 99999999999').diagnostics.map((d) => d.code), ['LT1008', 'LT1008']);
  assert.deepEqual(tokenize('a & b | c').diagnostics.map((d) => d.code), ['LT1005', 'LT1005']);
});

test('parser: C bodies are one token, braces balanced outside strings, chars and comments', () => {
  const text = 'fn f(d) c { if (x) { s = "}"; c = \'{\'; /* } */ } // }\n}\nthread t[2] c { g(); }';
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const fn = file.items[0] as FnDecl;
  assert.equal(fn.body.kind, 'CBody');
  if (fn.body.kind === 'CBody') {
    assert.equal(text.slice(fn.body.codeStart, fn.body.codeStart + fn.body.code.length), fn.body.code);
    assert.ok(fn.body.code.endsWith('// }\n'));
  }
  const thread = file.items[1] as ThreadDecl;
  assert.equal(thread.count?.value, 2);
  assert.equal(thread.body.kind, 'CBody');
  assert.equal(file.tokens.filter((t) => t.kind === TokenKind.CBlock).length, 2);
});

test('parser: else-if chains, on-zero statements, maybe, choose, contextual keywords', () => {
  const text = `object lock { ref count = 1 on zero free lock; lock lock spinlock; state state { a, b, } = b }
thread t {
  if x { } else if y { } else { }
  maybe { }
  choose { } or { } or { }
  lock.state = a
  lock(lock)
  lock lock.lock
  if (lock.count == 0) { }
}`;
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const object = file.items[0] as ObjectDecl;
  assert.deepEqual(object.members.map((m) => m.kind), ['RefMember', 'LockMember', 'StateMember']);
  const ref = object.members[0];
  assert.ok(ref.kind === 'RefMember' && ref.onZero?.statements[0].kind === 'LifecycleStatement');
  const lock = object.members[1];
  assert.ok(lock.kind === 'LockMember' && lock.lockKind === 'spinlock' && lock.name.text === 'lock');
  const state = object.members[2];
  assert.ok(state.kind === 'StateMember' && state.values.length === 2 && state.initial?.text === 'b');
  const body = (file.items[1] as ThreadDecl).body as Block;
  assert.deepEqual(body.statements.map((s) => s.kind), ['IfStatement', 'ChooseStatement', 'ChooseStatement', 'AssignStatement', 'CallStatement', 'LockStatement', 'IfStatement']);
  const chain = body.statements[0] as IfStatement;
  assert.equal(chain.else?.kind, 'IfStatement');
  assert.equal((chain.else as IfStatement).else?.kind, 'Block');
  const maybe = body.statements[1];
  assert.ok(maybe.kind === 'ChooseStatement' && maybe.isMaybe && maybe.branches.length === 1);
  const choose = body.statements[2];
  assert.ok(choose.kind === 'ChooseStatement' && !choose.isMaybe && choose.branches.length === 3);
  const parenIf = body.statements[6] as IfStatement;
  assert.equal(parenIf.condition.kind, 'ParenExpression');
});

test('parser: `else if (cond)` continues the chain, as `if (cond)` starts one (issue 15)', () => {
  const { file, diagnostics } = parse('static s { flag f; flag g }\nthread t { if s.f { set s.g } else if (s.g) { set s.f } else { clear s.f } }');
  assert.deepEqual(diagnostics, []);
  const chain = ((file.items[1] as ThreadDecl).body as Block).statements[0] as IfStatement;
  const second = chain.else as IfStatement;
  assert.equal(second.kind, 'IfStatement');
  assert.equal(second.condition.kind, 'ParenExpression');
  assert.equal(second.else?.kind, 'Block');
});

test('parser: proposals, expectations, orders, binds and devices', () => {
  const text = `proposal p "why" { fn f() { } new thread t { } remove device d new order stop d before call f }
expect p: use-after-free
order quiesce dev before free pasid "msg"
bind "str\\"x" = a.b
device d stopped { dma a.b; dma c }`;
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const proposal = file.items[0] as ProposalDecl;
  assert.equal(proposal.title?.value, 'why');
  assert.deepEqual(proposal.items.map((i) => i.kind), ['FnDecl', 'ThreadDecl', 'RemoveDecl', 'OrderDecl']);
  assert.equal((proposal.items[1] as ThreadDecl).isNew, true);
  assert.equal((proposal.items[3] as OrderDecl).second.verb, 'call');
  const expect = file.items[1] as ExpectDecl;
  assert.equal(expect.outcome.text, 'use-after-free');
  const order = file.items[2] as OrderDecl;
  assert.equal(order.first.verb, 'quiesce');
  assert.equal(order.message?.value, 'msg');
  assert.equal((file.items[3] as BindDecl).cExpr.value, 'str"x');
  const device = file.items[4] as DeviceDecl;
  assert.equal(device.initiallyStopped, true);
  assert.deepEqual(device.targets.map((t) => t.target.segments.map((s) => s.text).join('.')), ['a.b', 'c']);
});

test('parser: missing names are zero-width, one diagnostic per position, recovery at items', () => {
  const { file, diagnostics } = parse('object { ref }\nthread t { get }\nfn f() {\n  use x\nthread u { }');
  const object = file.items[0] as ObjectDecl;
  assert.equal(object.name.missing, true);
  assert.equal(object.name.start, object.name.end);
  const starts = diagnostics.map((d) => d.start);
  assert.equal(new Set(starts).size, starts.length);
  assert.deepEqual(file.items.map((i) => i.kind), ['ObjectDecl', 'ThreadDecl', 'FnDecl', 'ThreadDecl']);
  assert.deepEqual(diagnostics.map((d) => d.code), ['LT1002', 'LT1002', 'LT1002', 'LT1001']);
});

test('parser: nesting beyond the limit is skipped with LT1012, not followed', () => {
  const deep = 5000;
  const { file, diagnostics } = parse('thread t ' + '{'.repeat(deep) + '}'.repeat(deep) + ' thread u { }');
  assert.deepEqual(diagnostics.map((d) => d.code), ['LT1012']);
  assert.equal(file.items.length, 2);
});

test('walk: nodePathAt, tokenAt, significantTokenBefore and childrenOf', () => {
  const text = 'object mm { ref users = 1 }\nthread t { put mm.users }';
  const { file } = parse(text);
  const offset = text.indexOf('users }') + 2;
  const path = nodePathAt(file, offset);
  assert.deepEqual(path.map((n) => n.kind), ['SourceFile', 'ThreadDecl', 'Block', 'RefStatement', 'Place', 'Identifier']);
  const innermost = path[path.length - 1];
  assert.ok(innermost.kind === 'Identifier' && innermost.text === 'users');
  const atEndOfWord = nodePathAt(file, text.indexOf('users }') + 5);
  assert.equal(atEndOfWord[atEndOfWord.length - 1].kind, 'Identifier', 'the word just typed');
  const token = tokenAt(file, text.indexOf('mm.users') + 1);
  assert.equal(text.slice(token.start, token.end), 'mm');
  assert.equal(tokenAt(file, text.length).kind, TokenKind.EOF);
  assert.equal(tokenAt(file, text.indexOf(' {')).kind, TokenKind.Whitespace);
  const before = significantTokenBefore(file, text.indexOf('mm.users'));
  assert.ok(before && text.slice(before.start, before.end) === 'put');
  assert.equal(significantTokenBefore(file, 0), undefined);
  assert.deepEqual(childrenOf(file.items[0]).map((n) => n.kind), ['Identifier', 'RefMember']);
});

test('parser: names keep their own text through the shared name table, past its growth', () => {
  // 6,000 distinct names make the table (1,024 slots at first) grow several times.
  const names = Array.from({ length: 3000 }, (_, i) => `obj_${i}`);
  const text = names.map((name) => `object ${name} { ref count = 1 }\nthread t_${name} { get ${name}.count; put ${name}.count }\n`).join('');
  const { file, diagnostics } = parse(text);
  assert.deepEqual(diagnostics, []);
  const objects = file.items.filter((item): item is ObjectDecl => item.kind === 'ObjectDecl');
  const threads = file.items.filter((item): item is ThreadDecl => item.kind === 'ThreadDecl');
  assert.equal(objects.length, 3000);
  assert.deepEqual(threads.map((thread) => thread.name.text), names.map((name) => `t_${name}`));
  const countNames = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const declared = objects[i].name.text;
    assert.equal(declared, names[i]);
    const body = threads[i].body as Block;
    for (const statement of body.statements) {
      const place = (statement as { target: { segments: { text: string }[] } }).target;
      assert.equal(place.segments[0].text, declared);
      countNames.add(place.segments[1].text);
    }
  }
  assert.deepEqual([...countNames], ['count']);
});
