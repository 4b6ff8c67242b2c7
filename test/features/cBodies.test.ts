import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CBodyTranslator } from '../../server/src/core/engine/ir';
import { loadCBodySupport } from '../../server/src/core/features/cBodies';
import { editorDiagnostics } from '../../server/src/core/features/diagnostics';
import { runEngineOnText } from '../../server/src/core/features/runEngine';

const MODEL = 'model m\nstatic g { lock mutex }\nbind "&g->mutex" = g.mutex\nfn f() c {\n  mutex_lock(&g->mutex);\n}\nthread t { f() }\n';

let translateC: CBodyTranslator | undefined;

before(async () => {
  const support = await loadCBodySupport();
  assert.equal(support.problem, undefined);
  translateC = support.translateC;
});

function checked(text: string) {
  return runEngineOnText(text, { collectFacts: true, maxStates: 200_000, timeoutMs: 20_000, translateC }).analysis;
}

test('without the translator a C body is not checked', () => {
  const { analysis } = runEngineOnText(MODEL, {});
  assert.equal(analysis.engine?.proposals[0].verdict, 'incomplete');
});

test('a C body is translated and checked: a lock taken in C and never released', () => {
  const analysis = checked(MODEL);
  const baseline = analysis.engine?.proposals[0];
  assert.equal(baseline?.verdict, 'violation');
  assert.equal(baseline?.kind, 'lock-misuse');
  const diagnostic = editorDiagnostics(analysis).find((d) => d.code === 'LT3008');
  assert.ok(diagnostic);
});

test('with the unlock in C the model is safe', () => {
  const analysis = checked(MODEL.replace('  mutex_lock(&g->mutex);\n', '  mutex_lock(&g->mutex);\n  mutex_unlock(&g->mutex);\n'));
  assert.equal(analysis.engine?.proposals[0].verdict, 'safe');
});
