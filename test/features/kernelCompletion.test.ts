// Completion and snippets for the kernel's mechanisms (issue 11): work items, timers, RCU and SRCU,
// completions, percpu_ref, lock-coupled puts, modules, local values and long-lived objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionsAt } from '../../server/src/core/features/completion';
import { SNIPPETS } from '../../server/src/core/features/snippets';
import { CompletionKinds } from '../../server/src/core/features/types';
import { cursor, parsed } from './helpers';

const MODEL = `model m "kernel mechanisms"
module nf
object target
object obj {
  ref refs = 1 on zero free obj
  lock lock
  flag dead
  ptr ptr -> target = target
  work work { use obj }
  timer timer { use obj }
  completion done
  percpu_ref users on zero free obj
  srcu srcu
}
fn release(o) in nf { free o }
thread t {
  use obj
}
`;

const completions = (marked: string) => {
  const { text, offset } = cursor(marked);
  return completionsAt(parsed(text), offset);
};
const inBody = (line: string) => MODEL.replace('  use obj\n', `  use obj\n  ${line}\n`);
const labels = (marked: string) => completions(marked).map((c) => c.label);

test('completion: the mechanisms\' statements and conditions in a body, each with its form and doc', () => {
  const items = completions(inBody('|'));
  const keywords = new Map(items.filter((c) => c.kind === CompletionKinds.Keyword).map((c) => [c.label, c]));
  for (const word of ['queue_work', 'cancel_work_sync', 'disable_work_sync', 'flush_work', 'mod_timer', 'del_timer_sync', 'timer_shutdown_sync',
    'rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'call_rcu', 'kfree_rcu', 'rcu_barrier', 'rcu_assign_pointer', 'srcu_read_lock',
    'synchronize_srcu', 'complete', 'complete_all', 'wait_for_completion', 'percpu_ref_kill', 'module_put', 'unload',
    'tryget_live', 'try_module_get', 'wait_for_completion_timeout', 'rcu_dereference', 'work_pending', 'timer_pending', 'idle']) {
    const item = keywords.get(word);
    assert.ok(item, `${word} is not offered in a body`);
    const takesNothing = ['rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'rcu_barrier'].includes(word);
    assert.ok(item.detail !== undefined && item.detail.startsWith(word) && (takesNothing || item.detail !== word), `${word} has no form: ${item.detail}`);
    assert.ok(item.documentation && !item.documentation.includes('\n'), `${word} has no one-line doc`);
  }
  assert.equal(keywords.get('queue_work')?.detail, 'queue_work w');
  assert.ok(!keywords.has('work'), 'a member keyword is offered as a statement');
});

test('completion: the member keywords of the mechanisms in an object body, and module at the top level', () => {
  const members = completions(MODEL.replace('  srcu srcu\n', '  srcu srcu\n  |\n')).filter((c) => c.kind === CompletionKinds.Keyword);
  assert.equal(members.find((c) => c.label === 'work')?.detail, 'work NAME [on WQ] [in MODULE] { handler }');
  assert.equal(members.find((c) => c.label === 'percpu_ref')?.detail, 'percpu_ref NAME [on zero ...] [on confirm ...]');
  assert.ok(['timer', 'completion', 'srcu', 'workqueue'].every((word) => members.some((c) => c.label === word)));
  assert.ok(!members.some((c) => c.label === 'queue_work'), 'a statement is offered as a member');
  const items = completions(`|\n${MODEL}`);
  assert.equal(items.find((c) => c.label === 'module' && c.kind === CompletionKinds.Keyword)?.detail, 'module NAME');
});

test('completion: after a mechanism\'s verb, the members of its kind', () => {
  assert.deepEqual(labels(inBody('queue_work obj.|')).sort(), ['ptr', 'work']);
  assert.deepEqual(labels(inBody('del_timer_sync obj.|')).sort(), ['ptr', 'timer']);
  assert.deepEqual(labels(inBody('wait_for_completion obj.|')).sort(), ['done', 'ptr']);
  assert.deepEqual(labels(inBody('srcu_read_lock obj.|')).sort(), ['ptr', 'srcu']);
  assert.deepEqual(labels(inBody('if tryget_live obj.|')).sort(), ['ptr', 'users']);
  assert.deepEqual(labels(inBody('put obj.|')).sort(), ['ptr', 'refs', 'users']);
  assert.deepEqual(labels(inBody('put obj.refs locking obj.|')).sort(), ['lock', 'ptr']);
  assert.deepEqual(labels(inBody('let p = rcu_dereference obj.|')), ['ptr']);
  assert.deepEqual(labels(inBody('use obj.|')).sort(), ['dead', 'done', 'lock', 'ptr', 'refs', 'srcu', 'timer', 'users', 'work'], 'a plain access offers every member');
});

test('completion: a module after the module verbs, objects after kfree_rcu', () => {
  assert.deepEqual(labels(inBody('if try_module_get |')), ['nf']);
  assert.deepEqual(labels(inBody('unload |')), ['nf']);
  const freed = labels(inBody('kfree_rcu |'));
  assert.ok(freed.includes('obj') && freed.includes('target') && !freed.includes('nf') && !freed.includes('queue_work'));
});

test('completion: snippets for the mechanisms in a body, in an object body and at the top level', () => {
  const snippets = (marked: string) => completions(marked).filter((c) => c.kind === CompletionKinds.Snippet).map((c) => c.label);
  const statements = snippets(inBody('|'));
  for (const label of ['rcu-read', 'rcu-unpublish', 'call_rcu', 'srcu-read', 'queue_work', 'cancel-work-then-free', 'mod_timer', 'shutdown-timer-then-free',
    'wait-completion-timeout', 'tryget_live', 'put-locking', 'if-put-locking', 'try_module_get', 'unload', 'let-value']) assert.ok(statements.includes(label), label);
  assert.deepEqual(snippets(MODEL.replace('  srcu srcu\n', '  srcu srcu\n  |\n')).slice(3), ['work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue']);
  const rcu = completions(inBody('|')).find((c) => c.label === 'rcu-read' && c.kind === CompletionKinds.Snippet)!;
  assert.equal(rcu.documentation, 'rcu_read_lock\nlet p = rcu_dereference obj.ptr\nif p != null {\n  use p\n}\nrcu_read_unlock');
});

/** A snippet with its placeholders filled by their defaults, as the user gets it by tabbing through. */
function filled(body: string): string {
  return body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d/g, '').replace(/\t/g, '  ');
}

const KERNEL_SNIPPETS = ['module', 'object-long-lived', 'rcu-read', 'rcu-unpublish', 'call_rcu', 'srcu-read', 'queue_work', 'cancel-work-then-free', 'mod_timer',
  'shutdown-timer-then-free', 'wait-completion-timeout', 'tryget_live', 'put-locking', 'if-put-locking', 'try_module_get', 'unload', 'let-value',
  'work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue'];

test('every kernel snippet, filled with its defaults, makes a model with no syntax or semantic error', () => {
  assert.deepEqual(KERNEL_SNIPPETS.filter((label) => !SNIPPETS.some((s) => s.label === label)), [], 'a listed snippet is missing');
  for (const label of KERNEL_SNIPPETS) {
    const snippet = SNIPPETS.find((s) => s.label === label)!;
    const text = filled(snippet.body);
    let model: string;
    if (snippet.where.includes('item')) model = `${MODEL}${text.replace(/\bname\b/g, 'extra')}\n`;
    else if (snippet.where.includes('member')) model = `${MODEL}object fresh {\n  ${text.split('\n').join('\n  ')}\n}\n`;
    else {
      const body = text.replace(/\bmodule\b/g, 'nf').replace(/\bwork\b(?!_)/, 'work').split('\n').join('\n  ');
      model = `${MODEL.replace(/\nthread t \{\n {2}use obj\n\}\n$/, '\n')}thread t {\n  ${body}\n}\n`;
    }
    const analysis = parsed(model);
    const errors = [...analysis.syntaxDiagnostics, ...analysis.semantic.diagnostics].filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
    assert.deepEqual(errors, [], `${label}:\n${model}`);
  }
});

test('completion: another violation kind after a comma in an expectation, livelock among them', () => {
  const kinds = labels(`${MODEL}expect baseline: leak, |\n`);
  assert.ok(kinds.includes('livelock') && kinds.includes('rcu-escape') && kinds.includes('api-misuse'), kinds.join(' '));
  assert.ok(!kinds.includes('safe') && !kinds.includes('object'));
  assert.ok(labels(`${MODEL}expect baseline: |\n`).includes('livelock'));
});
