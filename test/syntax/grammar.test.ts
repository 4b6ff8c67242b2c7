// The TextMate grammar, run through vscode-textmate with the Oniguruma wasm engine (the same as
// VS Code): every fixture tokenizes, and the scopes of key constructs are the intended ones.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { VIOLATION_KINDS } from '../../server/src/core/syntax/ast';

const root = process.cwd();

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.lifetime') return null;
      const file = path.join(root, 'syntaxes/lifetime.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const grammar = await registry.loadGrammar('source.lifetime');
  assert.ok(grammar, 'the grammar loads');
  return grammar;
}

/** Tokenizes `text` and returns, for each token, its text and innermost scope. */
function scopes(grammar: textmate.IGrammar, text: string): { text: string; scope: string; all: string[] }[] {
  const out: { text: string; scope: string; all: string[] }[] = [];
  let state = textmate.INITIAL;
  for (const line of text.split(/\r?\n/)) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push({ text: line.slice(token.startIndex, token.endIndex), scope: token.scopes[token.scopes.length - 1], all: token.scopes });
    }
    state = result.ruleStack;
  }
  return out;
}

function scopeOf(tokens: { text: string; scope: string; all: string[] }[], text: string, nth = 0): string[] {
  const found = tokens.filter((token) => token.text === text)[nth];
  assert.ok(found, `no token ${JSON.stringify(text)}`);
  return found.all;
}

test('the TextMate grammar tokenizes every fixture and scopes the constructs', async () => {
  const grammar = await loadGrammar();
  for (const folder of ['ok', 'err']) {
    const dir = path.join(root, 'test/fixtures/syntax', folder);
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.lifetime'))) {
      assert.ok(scopes(grammar, fs.readFileSync(path.join(dir, name), 'utf8')).length > 0, name);
    }
  }

  const tokens = scopes(
    grammar,
    [
      'model m "a \\"title\\"" // note',
      'object mm recyclable { ref users = 1 on zero free mm; lock lock spinlock }',
      'fn put(x) { lock x.lock; lock.x = 1; put(x); wait until x.n == -1 }',
      'fn f(d) c { if (a) { b("}"); } }',
      'expect baseline: use-after-free',
      'expect fix: safe',
      '/* block */',
    ].join('\n'),
  );
  assert.ok(scopeOf(tokens, 'm').includes('entity.name.type.model.lifetime'));
  assert.ok(scopeOf(tokens, '\\"').includes('constant.character.escape.lifetime'));
  assert.ok(scopeOf(tokens, '// note'.slice(0, 2)).some((s) => s.startsWith('comment.line')));
  assert.ok(scopeOf(tokens, 'recyclable').includes('storage.modifier.lifetime'));
  assert.ok(scopeOf(tokens, 'ref').includes('storage.type.member.lifetime'));
  assert.ok(scopeOf(tokens, 'users').includes('variable.other.member.lifetime'));
  assert.ok(scopeOf(tokens, 'put').includes('entity.name.function.lifetime'), 'a declared fn name');
  assert.ok(scopeOf(tokens, 'lock', 2).includes('keyword.other.statement.lifetime'), 'lock as a statement keyword');
  assert.ok(!scopeOf(tokens, 'lock', 4).some((s) => s.startsWith('keyword')), 'lock.x is a name, not a keyword');
  assert.ok(scopeOf(tokens, '-1').includes('constant.numeric.decimal.lifetime'));
  assert.ok(scopeOf(tokens, 'c').includes('keyword.other.c-body.lifetime'));
  assert.ok(scopeOf(tokens, '"}"').some((s) => s.startsWith('meta.embedded.block.c')), 'the C body is embedded C');
  assert.ok(scopeOf(tokens, 'use-after-free').includes('constant.language.violation.lifetime'));
  assert.ok(scopeOf(tokens, 'safe').includes('constant.language.outcome.safe.lifetime'));
  assert.ok(scopeOf(tokens, 'expect').includes('keyword.other.expect.lifetime'));
  assert.ok(scopeOf(tokens, '/*').some((s) => s.startsWith('comment.block')));
});

test('the TextMate grammar scopes the kernel mechanisms', async () => {
  const grammar = await loadGrammar();
  const tokens = scopes(
    grammar,
    [
      'module drv',
      'object dev long-lived {',
      '  work reset on wqs.events in drv { use dev }',
      '  percpu_ref users on zero free dev on confirm set dev.dead',
      '}',
      'thread t { queue_work dev.reset; rcu_read_lock; if tryget_live dev.users { put dev.users locking g.m } }',
      'expect baseline: api-misuse',
    ].join('\n'),
  );
  assert.ok(scopeOf(tokens, 'drv').includes('entity.name.type.module.lifetime'));
  assert.ok(scopeOf(tokens, 'long-lived').includes('storage.modifier.lifetime'));
  assert.ok(scopeOf(tokens, 'work').includes('storage.type.member.lifetime'));
  assert.ok(scopeOf(tokens, 'percpu_ref').includes('storage.type.member.lifetime'));
  assert.ok(scopeOf(tokens, 'confirm').includes('keyword.control.lifetime'));
  assert.ok(scopeOf(tokens, 'queue_work').includes('support.function.mechanism.lifetime'));
  assert.ok(scopeOf(tokens, 'rcu_read_lock').includes('support.function.mechanism.lifetime'));
  assert.ok(scopeOf(tokens, 'tryget_live').includes('keyword.operator.word.lifetime'));
  assert.ok(scopeOf(tokens, 'locking').includes('keyword.control.lifetime'));
  assert.ok(scopeOf(tokens, 'api-misuse').includes('constant.language.violation.lifetime'));
});

test('the TextMate grammar scopes every violation kind in an expectation, lists of kinds included', async () => {
  const grammar = await loadGrammar();
  for (const kind of VIOLATION_KINDS) {
    const tokens = scopes(grammar, `expect baseline: ${kind}\nexpect fix: leak, ${kind} // why`);
    assert.ok(scopeOf(tokens, kind, 0).includes('constant.language.violation.lifetime'), kind);
    assert.ok(scopeOf(tokens, kind, 1).includes('constant.language.violation.lifetime'), `${kind} second in a list`);
    assert.ok(scopeOf(tokens, ',').includes('punctuation.separator.comma.lifetime'));
    assert.ok(scopeOf(tokens, '//').some((s) => s.startsWith('comment.line')), 'a comment after a list');
  }
  const wrong = scopes(grammar, 'expect baseline: leak, use-after-fre');
  assert.ok(scopeOf(wrong, 'use-after-fre').includes('invalid.illegal.outcome.lifetime'));
});

test('the TextMate grammar scopes every mechanism statement and condition by its kernel name', async () => {
  const grammar = await loadGrammar();
  const statements = ['queue_work', 'cancel_work', 'cancel_work_sync', 'flush_work', 'disable_work_sync', 'enable_work', 'flush_workqueue', 'destroy_workqueue',
    'mod_timer', 'add_timer', 'del_timer', 'del_timer_sync', 'timer_delete_sync', 'timer_shutdown_sync', 'kfree_rcu', 'srcu_read_lock', 'srcu_read_unlock',
    'synchronize_srcu', 'srcu_barrier', 'complete', 'complete_all', 'wait_for_completion', 'reinit_completion', 'init_completion', 'percpu_ref_kill',
    'percpu_ref_init', 'percpu_ref_exit', 'percpu_ref_switch_to_atomic_sync', 'module_put'];
  for (const word of statements) {
    const tokens = scopes(grammar, `thread t { ${word} x.m }`);
    assert.ok(scopeOf(tokens, word).includes('support.function.mechanism.lifetime'), word);
  }
  for (const word of ['rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'rcu_barrier']) {
    assert.ok(scopeOf(scopes(grammar, `thread t { ${word} }`), word).includes('support.function.mechanism.lifetime'), word);
  }
  for (const word of ['tryget_live', 'try_module_get', 'wait_for_completion_timeout', 'completion_done', 'work_pending', 'timer_pending', 'percpu_ref_is_zero', 'rcu_dereference', 'idle']) {
    const tokens = scopes(grammar, `thread t { if ${word} x.m { use x } }`);
    assert.ok(scopeOf(tokens, word).includes('keyword.operator.word.lifetime'), word);
  }
  const call = scopes(grammar, 'thread t { call_srcu x.s release(x); call_rcu release(x); unload nf { rcu_barrier } }');
  assert.ok(scopeOf(call, 'call_srcu').includes('support.function.mechanism.lifetime'));
  assert.ok(scopeOf(call, 'call_rcu').includes('support.function.mechanism.lifetime'));
  assert.ok(scopeOf(call, 'unload').includes('keyword.other.statement.lifetime'));
  const named = scopes(grammar, 'thread t { complete(x); x.complete = 1 }');
  assert.ok(!scopeOf(named, 'complete').some((s) => s.startsWith('support')), 'a procedure named complete is a name');
});

test('the language configuration is valid JSON with comments, brackets and folding markers', () => {
  const config = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes/language-configuration.json'), 'utf8'));
  assert.equal(config.comments.lineComment, '//');
  assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(config.brackets, [['{', '}'], ['(', ')'], ['[', ']']]);
  assert.ok(config.autoClosingPairs.some((pair: { open: string }) => pair.open === '"'));
  assert.ok(new RegExp(config.folding.markers.start).test('  // #region devices'));
  assert.ok(new RegExp(config.folding.markers.end).test('// #endregion'));
  assert.ok(new RegExp(config.indentationRules.increaseIndentPattern).test('thread t {'));
  assert.ok(new RegExp(config.indentationRules.decreaseIndentPattern).test('  }'));
  assert.ok(new RegExp(`^(?:${config.wordPattern})$`).test('use-after-free'));
});
