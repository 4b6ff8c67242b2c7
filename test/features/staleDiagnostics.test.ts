import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editorDiagnostics } from '../../server/src/core/features/diagnostics';
import { diffTexts, mapDiagnostics } from '../../server/src/core/features/staleDiagnostics';
import { checked, UAF_MODEL } from './helpers';

test('the changed region is found from the common prefix and suffix', () => {
  assert.deepEqual(diffTexts('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
  assert.deepEqual(diffTexts('abc', 'abc!'), { start: 3, oldEnd: 3, newEnd: 4 });
  assert.deepEqual(diffTexts('aaa', 'aa'), { start: 2, oldEnd: 3, newEnd: 2 });
});

test('engine diagnostics move with an edit above them and keep their trace', () => {
  const diagnostics = editorDiagnostics(checked(UAF_MODEL)).filter((d) => d.code === 'LT3001');
  const edited = '// a new first line\n' + UAF_MODEL;
  const [moved] = mapDiagnostics(UAF_MODEL, edited, diagnostics);
  assert.deepEqual(moved.range, { start: { line: 3, character: 14 }, end: { line: 3, character: 20 } });
  assert.equal(moved.relatedInformation?.length, 3);
  assert.deepEqual(moved.relatedInformation?.[0].range.start, { line: 4, character: 14 });
});

test('a diagnostic whose range the edit touches is dropped; related steps in the edit are dropped', () => {
  const diagnostics = editorDiagnostics(checked(UAF_MODEL)).filter((d) => d.code === 'LT3001');
  assert.deepEqual(mapDiagnostics(UAF_MODEL, UAF_MODEL.replace('cpu0 { use mm }', 'cpu0 { use  mm }'), diagnostics), []);
  assert.deepEqual(mapDiagnostics(UAF_MODEL, UAF_MODEL.replace('cpu0 { use mm }', 'cpu0 { use xx }'), diagnostics), []);
  assert.equal(mapDiagnostics(UAF_MODEL, UAF_MODEL.replace('cpu0 { use mm }', 'cpu0 { use mm  }'), diagnostics).length, 1);
  const [kept] = mapDiagnostics(UAF_MODEL, UAF_MODEL.replace('cpu1 { put mm.users }', 'cpu1 { put mm.count }'), diagnostics);
  assert.deepEqual(kept.relatedInformation?.map((r) => r.message), ['step 2, cpu1: ↳ on zero of mm.users: free mm (frees mm)', 'step 3, cpu0: use mm']);
  assert.equal(mapDiagnostics(UAF_MODEL, UAF_MODEL, diagnostics), diagnostics);
});
