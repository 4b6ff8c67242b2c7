import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/syntax/parser';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem, type CompiledSystem } from '../../server/src/core/engine/compile';
import { search } from '../../server/src/core/engine/explore';
import { generateModel } from './random-models';
import { krefFamily } from '../fixtures/engine/kref-family';

/**
 * The successors of `state` found by running each transition's guard and step function on the
 * unpacked state, packed, in actor and transition order; a failed check ends the list with the
 * violation number (negated, so that it cannot be confused with a packed word) and the failing actor.
 */
function successorsByStep(compiled: CompiledSystem, state: Uint32Array): number[] {
  const s = new Int32Array(compiled.variableCount);
  const next = new Int32Array(compiled.variableCount);
  const packed = new Uint32Array(compiled.words);
  compiled.unpack(state, 0, s);
  const found: number[] = [];
  const actors = compiled.system.actors;
  for (let a = 0; a < actors.length; a++) {
    const actor = actors[a];
    const compiledActor = compiled.actors[a];
    for (const id of compiledActor.byPoint[s[actor.pcVar]] ?? []) {
      const guard = compiledActor.guards[id];
      if (guard !== null && !guard(s)) continue;
      next.set(s);
      const result = compiledActor.steps[id](next);
      if (result === -1) continue;
      if (result > 0) {
        found.push(-result, a);
        return found;
      }
      compiled.pack(next, packed, 0);
      found.push(...packed);
    }
  }
  return found;
}

/** The successors of `state` as the generated `expandState` writes them, in the form of `successorsByStep`. */
function successorsByExpansion(compiled: CompiledSystem, state: Uint32Array): number[] {
  const s = new Int32Array(compiled.variableCount);
  const batch = new Uint32Array(compiled.maxSuccessors * compiled.words);
  const out = new Int32Array(5);
  compiled.unpack(state, 0, s);
  const count = compiled.expandState(s, state, batch, 0, out);
  if (count >= 0) return [...batch.subarray(0, count * compiled.words)];
  return [...batch.subarray(0, out[2]), -out[0], out[3]];
}

function assertExpansionMatchesSteps(text: string): void {
  const lowered = lowerModel(parse(text).file, 'baseline');
  assert.ok(lowered.complete);
  const compiled = compileSystem(lowered.system);
  const outcome = search(compiled, { reduce: false, maxStates: 20_000, maxMemoryBytes: 2 ** 28, timeoutMs: 60_000 });
  const state = new Uint32Array(compiled.words);
  for (let index = 0; index < outcome.states; index++) {
    outcome.store.read(index, state);
    assert.deepEqual(successorsByExpansion(compiled, state), successorsByStep(compiled, state), `state ${index}`);
  }
}

test('the generated expansion gives the successors the step functions give, on the kref family', () => {
  assertExpansionMatchesSteps(krefFamily(2, 2, { symmetric: false }));
});

test('the generated expansion gives the successors the step functions give, on random models', () => {
  for (let seed = 1; seed <= 40; seed++) assertExpansionMatchesSteps(generateModel(seed).text);
});

test('the generated expansion gives the successors the step functions give when only some small actors fit in the driver', () => {
  // Forty two-transition devices: the driver takes the first thirty-two, the rest are called.
  const devices = Array.from({ length: 40 }, (_, k) => `device dev${k} stopped { dma obj }`).join('\n');
  const text = `model many_devices "many devices"

object obj {
  ref refs = 1 on zero { free obj }
}
${devices}

thread user {
  start dev0
  start dev39
  quiesce dev0
  put obj.refs
}
`;
  assertExpansionMatchesSteps(text);
});
