// Outline, folding, semantic tokens, completion, signature help and formatting.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionsAt } from '../../server/src/core/features/completion';
import { SNIPPETS } from '../../server/src/core/features/snippets';
import { CompletionKinds } from '../../server/src/core/features/types';
import { foldingRanges } from '../../server/src/core/features/folding';
import { formatText } from '../../server/src/core/features/formatting';
import { classifyTokens, semanticTokens, SEMANTIC_TOKEN_TYPES } from '../../server/src/core/features/semanticTokens';
import { signatureHelpAt } from '../../server/src/core/features/signatureHelp';
import { documentSymbols } from '../../server/src/core/features/symbols';
import { cursor, parsed, UAF_MODEL } from './helpers';

const MODEL = `model m "title"
// Two lines of
// comment.
object mm {
  ref users = 1 on zero free mm
  lock lock
  ptr owner -> task = task
}
static task { flag dead }
fn release(x, y) {
  put x.users
}
thread cpu0 {
  release(mm, task)
}
proposal p {
  thread cpu0 { use mm }
}
expect p: safe
`;

const completions = (marked: string) => {
  const { text, offset } = cursor(marked);
  return completionsAt(parsed(text), offset);
};
const labels = (marked: string) => completions(marked).map((c) => c.label);
const keywords = (marked: string) => completions(marked).filter((c) => c.kind === CompletionKinds.Keyword).map((c) => c.label);

test('the outline lists items with members and proposal items nested', () => {
  const symbols = documentSymbols(parsed(MODEL));
  assert.deepEqual(symbols.map((s) => s.name), ['m', 'mm', 'task', 'release', 'cpu0', 'p', 'expect p: safe']);
  const mm = symbols[1];
  assert.deepEqual(mm.children?.map((c) => `${c.name}: ${c.detail}`), ['users: ref users = 1; at zero: free mm', 'lock: lock lock (mutex)', 'owner: ptr owner -> task = task']);
  assert.deepEqual(mm.selectionRange, { start: { line: 3, character: 7 }, end: { line: 3, character: 9 } });
  assert.deepEqual(symbols[3].detail, '(x, y)');
  assert.deepEqual(symbols[5].children?.map((c) => c.name), ['cpu0']);
});

test('folding covers blocks and comment runs, leaving closing lines visible', () => {
  const ranges = foldingRanges(parsed(MODEL));
  assert.deepEqual(ranges, [
    { startLine: 1, endLine: 2, kind: 'comment' },
    { startLine: 3, endLine: 6 },
    { startLine: 9, endLine: 10 },
    { startLine: 12, endLine: 13 },
    { startLine: 15, endLine: 16 },
  ]);
});

test('semantic tokens tell a keyword from the same word used as a name', () => {
  const analysis = parsed(MODEL);
  const classified = classifyTokens(analysis);
  const at = (line: number, character: number) => {
    const offset = analysis.lines.offsetAt({ line, character });
    return classified.find((t) => t.start === offset)?.type;
  };
  assert.equal(at(5, 2), 'keyword', '`lock` the member keyword');
  assert.equal(at(5, 7), 'property', '`lock` the member name');
  assert.equal(at(3, 7), 'class');
  assert.equal(at(8, 7), 'struct');
  assert.equal(at(9, 3), 'function');
  assert.equal(at(9, 11), 'parameter');
  assert.equal(at(10, 6), 'parameter');
  assert.equal(at(13, 2), 'function');
  assert.equal(at(15, 9), 'namespace');
  assert.equal(at(18, 10), 'enumMember');
  assert.equal(at(4, 14), 'number');
  const data = semanticTokens(analysis);
  assert.equal(data.length % 5, 0);
  assert.deepEqual(data.slice(0, 5), [0, 0, 5, SEMANTIC_TOKEN_TYPES.indexOf('keyword'), 0]);
  assert.deepEqual(data.slice(5, 10), [0, 6, 1, SEMANTIC_TOKEN_TYPES.indexOf('namespace'), 1]);
});

test('completion: item keywords at the top level', () => {
  const items = labels('|\n' + MODEL);
  assert.ok(items.includes('object') && items.includes('proposal') && items.includes('expect'));
  assert.ok(!items.includes('get'));
});

test('completion: statement keywords, procedures and objects in a body', () => {
  const items = labels(MODEL.replace('  release(mm, task)\n', '  release(mm, task)\n  |\n'));
  for (const expected of ['get', 'put', 'wait', 'release', 'mm', 'task']) assert.ok(items.includes(expected), expected);
  assert.ok(!items.includes('model'));
});

test('completion: the members of an object after a dot, following pointers', () => {
  // After `put`, the counts (and the pointers that lead to more), not the lock.
  assert.deepEqual(labels(MODEL.replace('  release(mm, task)\n', '  put mm.|\n  release(mm, task)\n')).sort(), ['owner', 'users']);
  assert.deepEqual(labels(MODEL.replace('  release(mm, task)\n', '  use mm.|\n  release(mm, task)\n')).sort(), ['lock', 'owner', 'users']);
  assert.deepEqual(labels(MODEL.replace('  release(mm, task)\n', '  set mm.owner.|\n  release(mm, task)\n')), ['dead']);
});

test('completion: member keywords in an object body, places after a verb', () => {
  assert.deepEqual(keywords(MODEL.replace('  lock lock\n', '  lock lock\n  |\n')).sort(), ['completion', 'flag', 'int', 'lock', 'percpu_ref', 'ptr', 'ref', 'srcu', 'state', 'timer', 'work', 'workqueue']);
  const places = labels(MODEL.replace('  put x.users\n', '  put x.users\n  free |\n'));
  assert.ok(places.includes('x') && places.includes('y') && places.includes('mm'));
  assert.ok(!places.includes('put'));
});

test('completion: proposals and outcomes in an expectation', () => {
  assert.deepEqual(labels(MODEL.replace('expect p: safe', 'expect |')), ['baseline', 'p']);
  const outcomes = labels(MODEL.replace('expect p: safe', 'expect p: |'));
  assert.ok(outcomes.includes('safe') && outcomes.includes('use-after-free') && outcomes.includes('deadlock'));
});

test('completion: each item says what it is, with its form and a one-line doc', () => {
  const items = completions('|\n' + MODEL);
  const object = items.find((c) => c.label === 'object' && c.kind === CompletionKinds.Keyword);
  assert.deepEqual(object, { label: 'object', kind: CompletionKinds.Keyword, detail: 'object NAME [recyclable] [unborn] [long-lived] { members }', documentation: 'One object that can be freed.', sortText: '2object' });
  assert.deepEqual(items.filter((c) => c.detail === 'item' || !c.documentation).map((c) => c.label), [], 'every item has its own detail and a doc');
  assert.deepEqual(items.filter((c) => c.kind === CompletionKinds.Keyword && c.documentation!.includes('\n')).map((c) => c.label), [], 'a keyword\'s doc is one line');
  const body = completions(MODEL.replace('  release(mm, task)\n', '  release(mm, task)\n  |\n'));
  assert.deepEqual(body.find((c) => c.label === 'release'), { label: 'release', kind: CompletionKinds.Function, detail: 'fn', documentation: 'A procedure; calls are inlined.', sortText: '1release' });
  assert.equal(body.find((c) => c.label === 'wait' && c.kind === CompletionKinds.Keyword)?.detail, 'wait until COND');
  const outcomes = completions(MODEL.replace('expect p: safe', 'expect p: |'));
  assert.equal(outcomes.find((c) => c.label === 'deadlock')?.documentation, 'Threads are blocked and nothing can wake them (a lock cycle or an unsatisfiable wait).');
});

test('completion: snippets for items at the top level and in proposals, for statements and members', () => {
  const snippets = (marked: string) => completions(marked).filter((c) => c.kind === CompletionKinds.Snippet).map((c) => c.label);
  assert.deepEqual(snippets('|\n' + MODEL), ['model', 'object', 'static', 'fn', 'thread', 'device', 'proposal', 'expect', 'order', 'module', 'object-long-lived']);
  assert.deepEqual(snippets(MODEL.replace('  thread cpu0 { use mm }\n', '  thread cpu0 { use mm }\n  |\n')), ['object', 'static', 'fn', 'thread', 'device', 'order', 'object-long-lived']);
  assert.deepEqual(snippets(MODEL.replace('  release(mm, task)\n', '  release(mm, task)\n  |\n')).slice(0, 9), ['if', 'if-else', 'while', 'choose', 'maybe', 'atomic', 'repeat', 'wait', 'locked']);
  assert.deepEqual(snippets(MODEL.replace('  lock lock\n', '  lock lock\n  |\n')), ['ref', 'ptr', 'state', 'work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue']);
  const thread = completions('|\n' + MODEL).find((c) => c.label === 'thread' && c.kind === CompletionKinds.Snippet)!;
  assert.equal(thread.insertText, 'thread ${1:name} {\n\t$0\n}');
  assert.equal(thread.insertTextFormat, 2);
  assert.equal(thread.documentation, 'thread name {\n  \n}');
});

test('every snippet expands to text that parses once its placeholders are filled', () => {
  for (const snippet of SNIPPETS) {
    const filled = snippet.body.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d/g, '').replace(/\t/g, '  ');
    const text = snippet.where.includes('item')
      ? `model m\nobject obj { ref refs = 1; lock lock }\ndevice dev { dma obj }\n${snippet.where.includes('proposal-item') ? '' : 'proposal name { }\n'}${filled}\n`
      : snippet.where.includes('statement')
        ? `model m\nstatic obj { lock lock; flag condition }\nthread t {\n${filled.replace(/\bcondition\b/g, 'obj.condition')}\n}\n`
        : `model m\nobject object { ref r = 1 }\nobject obj {\n${filled}\n}\n`;
    const syntax = parsed(text).syntaxDiagnostics;
    assert.deepEqual(syntax.map((d) => d.message), [], `${snippet.label}:\n${text}`);
  }
});

test('completion: kernel API names inside a C body', () => {
  const items = labels('model m\nfn f() c {\n  mutex_|\n}\n');
  assert.ok(items.includes('mutex_lock') && items.includes('kref_put'), items.slice(0, 10).join(','));
});

test('signature help shows the procedure and the active parameter', () => {
  const { text, offset } = cursor(MODEL.replace('release(mm, task)', 'release(mm, |task)'));
  const help = signatureHelpAt(parsed(text), offset);
  assert.ok(help);
  assert.equal(help.signatures[0].label, 'release(x, y)');
  assert.deepEqual(help.signatures[0].parameters, [{ label: [8, 9] }, { label: [11, 12] }]);
  assert.equal(help.activeParameter, 1);
  const first = cursor(MODEL.replace('release(mm, task)', 'release(|mm, task)'));
  assert.equal(signatureHelpAt(parsed(first.text), first.offset)?.activeParameter, 0);
  const outside = cursor(MODEL.replace('thread cpu0 {', 'thread c|pu0 {'));
  assert.equal(signatureHelpAt(parsed(outside.text), outside.offset), undefined);
});

test('formatting re-indents, respaces, keeps comments and is idempotent', () => {
  const messy = [
    'model   m  "t"',
    '',
    '',
    '',
    '/* block',
    '   comment */',
    'object mm{ref users=1 on zero free mm;lock m   spinlock}',
    'fn f( a,b ){',
    '      lock a.m   // takes it',
    'if a.users>0&&!held a.m{put a.users}else{',
    'free a }',
    '      unlock a.m',
    '}',
    'thread w[2]{f(mm,mm)}',
    'expect baseline : safe',
  ].join('\n');
  const options = { tabSize: 2, insertSpaces: true };
  const once = formatText(parsed(messy), options);
  assert.equal(
    once,
    [
      'model m "t"',
      '',
      '/* block',
      '   comment */',
      'object mm { ref users = 1 on zero free mm; lock m spinlock }',
      'fn f(a, b) {',
      '  lock a.m   // takes it',
      '  if a.users > 0 && !held a.m { put a.users } else {',
      '    free a',
      '  }',
      '  unlock a.m',
      '}',
      'thread w[2] { f(mm, mm) }',
      'expect baseline: safe',
      '',
    ].join('\n'),
  );
  assert.equal(formatText(parsed(once), options), once);
  assert.equal(formatText(parsed(UAF_MODEL), options), UAF_MODEL);
});

test('formatting puts the closing brace of a block that spans lines on its own line, and leaves one-line blocks alone', () => {
  const options = { tabSize: 2, insertSpaces: true };
  assert.equal(formatText(parsed('thread t {\n  use o }\n'), options), 'thread t {\n  use o\n}\n');
  assert.equal(formatText(parsed('thread t { use o\n  put o.r }\n'), options), 'thread t { use o\n  put o.r\n}\n');
  assert.equal(formatText(parsed('thread t {\n  if x { use o } else {\n    free o } }\n'), options), 'thread t {\n  if x { use o } else {\n    free o\n  }\n}\n');
  const oneLine = 'object o { ref r = 1 on zero { free o } }\nthread t { use o; put o.r }\n';
  assert.equal(formatText(parsed(oneLine), options), oneLine);
});

test('formatting keeps C bodies verbatim and leaves broken strings alone', () => {
  const withC = 'fn f() c {\n    mutex_lock(&g->m);\n  if (x)   y();\n}\n';
  assert.equal(formatText(parsed(withC), { tabSize: 2, insertSpaces: true }), withC);
  const broken = 'model m "unterminated\nobject   a\n';
  assert.equal(formatText(parsed(broken), { tabSize: 2, insertSpaces: true }), broken);
});
