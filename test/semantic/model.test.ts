// The SemanticModel API that editor features use: declarationAt, referencesTo, membersOf. Sources
// mark cursor positions with `|`; the marker is removed before parsing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFile } from '../../server/src/core/semantic/checker';
import type { Declaration } from '../../server/src/core/semantic/model';
import { parse } from '../../server/src/core/syntax/parser';

/** Removes every `|` and returns the text with the offsets where the markers stood. */
function markers(source: string): { text: string; cursors: number[] } {
  const cursors: number[] = [];
  let text = '';
  for (const ch of source) {
    if (ch === '|') cursors.push(text.length);
    else text += ch;
  }
  return { text, cursors };
}

function analyse(source: string) {
  const { text, cursors } = markers(source);
  const { model, diagnostics } = checkFile(parse(text).file);
  return { text, cursors, model, diagnostics };
}

function describe(text: string, declaration: Declaration | undefined): string {
  if (!declaration) return 'nothing';
  return `${declaration.kind} ${text.slice(declaration.nameStart, declaration.nameEnd)}`;
}

const MODEL = `
object mm { ref users = 1 on zero { put mm.count }; ref count = 1 on zero free mm }
object domain { ref refs = 1 on zero free domain }
static dev_a { ptr dom -> domain = domain }
fn release(d) { use d.d|om; put d|.dom.refs }
thread cpu0 { let h = m|m; use |h; put mm.us|ers; release(dev_a) }
proposal fix {
  object mm { ref users = 2 on zero free mm; ref count = 1 }
  thread cpu0 { put mm.users; put m|m.users; release(dev_a) }
}
expect f|ix: safe
`;

test('declarationAt resolves a reference through a parameter to the pointer member of its argument', () => {
  const { text, cursors, model } = analyse(MODEL);
  const declaration = model.declarationAt(cursors[0]);
  assert.equal(describe(text, declaration), 'member dom');
  assert.equal(declaration?.memberKind, 'ptr');
  assert.equal(declaration?.ptrTarget, 'domain');
  assert.equal(describe(text, model.declarations[declaration!.container!]), 'static dev_a');
});

test('declarationAt on a parameter use, an object, a handle and a member', () => {
  const { text, cursors, model } = analyse(MODEL);
  assert.equal(describe(text, model.declarationAt(cursors[1])), 'param d');
  assert.equal(describe(text, model.declarationAt(cursors[2])), 'object mm');
  assert.equal(describe(text, model.declarationAt(cursors[3])), 'local h');
  const users = model.declarationAt(cursors[4]);
  assert.equal(describe(text, users), 'member users');
  assert.equal(users?.proposal, undefined);
});

test('inside a proposal, names resolve to the proposal\'s replacement', () => {
  const { text, cursors, model } = analyse(MODEL);
  const mm = model.declarationAt(cursors[5]);
  assert.equal(describe(text, mm), 'object mm');
  assert.equal(mm?.proposal, 'fix');
  const proposal = model.declarationAt(cursors[6]);
  assert.equal(describe(text, proposal), 'proposal fix');
});

test('declarationAt on a declared name returns that declaration; an offset in white space returns nothing', () => {
  const { text, model } = analyse(MODEL);
  const at = text.indexOf('thread cpu0') + 'thread c'.length;
  assert.equal(describe(text, model.declarationAt(at)), 'thread cpu0');
  assert.equal(model.declarationAt(text.indexOf('\nobject domain')), undefined);
});

test('referencesTo lists every use, across the baseline and the proposals that inherit it', () => {
  const { text, model } = analyse(MODEL);
  const count = model.declarations.find((d) => d.kind === 'member' && d.name === 'count' && d.proposal === undefined)!;
  const places = model.referencesTo(count.id).map((r) => text.slice(r.start, r.end));
  assert.deepEqual(places, ['count']);
  const release = model.declarations.find((d) => d.kind === 'fn' && d.name === 'release')!;
  // Called from the baseline thread and from the proposal's replacement thread.
  assert.equal(model.referencesTo(release.id).length, 2);
  const domain = model.declarations.find((d) => d.kind === 'object' && d.name === 'domain')!;
  const domainUses = model.referencesTo(domain.id).map((r) => text.slice(r.start, r.end));
  // `free domain`, the pointer's target and its initial value.
  assert.equal(domainUses.length, 3);
  assert.ok(domainUses.every((use) => use === 'domain'));
});

test('the proposal replacement of an object is referenced by inherited and own items', () => {
  const { model } = analyse(MODEL);
  const proposalUsers = model.declarations.find((d) => d.kind === 'member' && d.name === 'users' && d.proposal === 'fix')!;
  // Two `put mm.users` in the proposal's thread.
  assert.equal(model.referencesTo(proposalUsers.id).length, 2);
});

test('membersOf lists an object\'s members, as the baseline or a proposal sees them', () => {
  const { model } = analyse(MODEL);
  assert.deepEqual(model.membersOf('mm').map((m) => `${m.memberKind} ${m.name}`), ['ref users', 'ref count']);
  assert.deepEqual(model.membersOf('mm', 'fix').map((m) => `${m.proposal} ${m.name}`), ['fix users', 'fix count']);
  assert.deepEqual(model.membersOf('dev_a').map((m) => m.name), ['dom']);
  assert.deepEqual(model.membersOf('nothing'), []);
});

test('state values are declarations, and comparisons and assignments refer to them', () => {
  const { text, cursors, model, diagnostics } = analyse(`
object entry { state life { active, blocking, inactive } = active }
thread t { entry.life = bloc|king; if entry.life == inac|tive { free entry } }
`);
  assert.deepEqual(diagnostics, []);
  const blocking = model.declarationAt(cursors[0]);
  assert.equal(describe(text, blocking), 'state-value blocking');
  assert.equal(describe(text, model.declarations[blocking!.container!]), 'member life');
  assert.equal(describe(text, model.declarationAt(cursors[1])), 'state-value inactive');
});

test('a parameter that no call site types resolves its members on every object that has one', () => {
  const { text, cursors, model } = analyse(`
object a { ref refs = 1 on zero free a }
object b { ref refs = 1 on zero free b }
fn drop(x) { put x.re|fs }
thread t { put a.refs; put b.refs }
`);
  const reference = model.referenceAt(cursors[0])!;
  const all = model.references.filter((r) => r.start === reference.start);
  assert.deepEqual(
    all.map((r) => describe(text, model.declarations[model.declarations[r.declaration].container!])).sort(),
    ['object a', 'object b'],
  );
});

test('locals in a proposal view are declared once even when the body is checked in several views', () => {
  const { model } = analyse(`
object mm { ref users = 1 on zero free mm }
fn drop() { put mm.users }
thread t { let h = mm; use h; drop() }
proposal p { fn drop() { put mm.users } }
`);
  assert.equal(model.declarations.filter((d) => d.kind === 'local').length, 1);
});

test('a proposal re-checks the baseline items that use what it replaces, and only those', () => {
  const { diagnostics } = analyse(`
object a { ref users = 1 on zero free a }
object b { ref users = 1 on zero free b }
thread uses_a { put a.users }
thread uses_b { put b.users }
proposal locked {
  object a { lock users }
}
expect locked: safe
`);
  const messages = diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  assert.deepEqual(messages, ["'put' needs a reference count; 'a.users' is a lock (in proposal locked)"]);
});
