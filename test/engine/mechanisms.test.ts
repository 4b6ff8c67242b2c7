// The kernel mechanisms' semantics, one fixture per subtle case (test/fixtures/engine/mechanisms/):
// every expectation holds with reductions on and off, every trace replays as a real execution of
// the lowered model, and SPIN, on the exported Promela, agrees with the exact search on every
// verdict, kind and shortest depth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { violationCode } from '../../server/src/core/diagnostics/codes';
import { checkModel, lowerModel, renderTraceDiagram } from '../../server/src/core/engine/index';
import { exportPromelaFromFile, promelaKindCode } from '../../server/src/core/engine/promela';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { checkFile } from '../../server/src/core/semantic/checker';
import type { SourceFile } from '../../server/src/core/syntax/ast';
import { parse } from '../../server/src/core/syntax/parser';
import { replayTrace } from './replay';
import { runSpin, spinUnavailableReason } from './spin-runner';

const fixtures = path.join(process.cwd(), 'test/fixtures/engine/mechanisms');
const names = fs.readdirSync(fixtures).filter((name) => name.endsWith('.lifetime')).sort();

function load(name: string): { file: SourceFile; text: string } {
  const text = fs.readFileSync(path.join(fixtures, name), 'utf8');
  return { file: parse(text).file, text };
}

function byName(results: ProposalResult[], name: string): ProposalResult {
  const result = results.find((r) => r.name === name);
  assert.ok(result, `no result for ${name}`);
  return result;
}

function describe(result: ProposalResult): string {
  return result.verdict === 'violation' ? `${result.kind} in ${result.trace?.length} steps` : result.verdict;
}

for (const name of names) {
  test(`${name}: checks cleanly, every expectation holds exact and reduced, and every trace replays`, () => {
    const { file, text } = load(name);
    const errors = [...parse(text).diagnostics, ...checkFile(file).diagnostics].filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => d.message), []);
    const exact = checkModel(file, undefined, { exact: true });
    const reduced = checkModel(file, undefined, {});
    assert.deepEqual(exact.diagnostics, []);
    for (const result of exact.proposals) {
      assert.notEqual(result.expected, undefined, `${result.name} states an expectation`);
      assert.equal(result.expectationMet, true, `${result.name}: expected ${result.expected}, got ${describe(result)}: ${result.message ?? ''}`);
      const other = byName(reduced.proposals, result.name);
      assert.equal(other.verdict, result.verdict, `${result.name}: reduced ${describe(other)}, exact ${describe(result)}`);
      assert.equal(other.kind, result.kind, result.name);
      for (const checked of [result, other]) {
        if (checked.verdict !== 'violation') continue;
        const { system } = lowerModel(file, checked.name);
        assert.equal(replayTrace(system, checked), checked.trace?.length, `${checked.name}: the whole trace replays`);
      }
    }
  });
}

const unavailable = spinUnavailableReason();
const skip = unavailable && !process.env.CI ? `SPIN cannot run: ${unavailable}` : false;

test('SPIN agrees with the exact search on every mechanism fixture', { skip, timeout: 20 * 60_000 }, async () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const jobs = names.flatMap((name) => {
    const { file } = load(name);
    return checkModel(file, undefined, { exact: true }).proposals.map((result) => ({ name, file, result }));
  });
  const options = { search: 'bfs' as const, partialOrder: false, optimize: '-O0', hashBits: 18, timeoutMs: 60_000 };
  const problems: string[] = [];
  const compare = async ({ name, file, result }: (typeof jobs)[number]): Promise<void> => {
    const exported = exportPromelaFromFile(file, result.name);
    assert.ok(exported.text, `${name} ${result.name} exports`);
    const pan = (await runSpin(exported.text, options)).pan;
    const where = `${name} ${result.name}: engine ${describe(result)}, SPIN ${pan.verdict === 'violation' ? `${pan.kind} in ${pan.depth} steps` : pan.verdict}`;
    if (pan.verdict !== result.verdict) problems.push(where);
    else if (result.verdict === 'violation') {
      if (pan.depth !== result.trace?.length) problems.push(where);
      else if (pan.kind !== result.kind) {
        const only = (await runSpin(exported.text, { ...options, onlyKind: promelaKindCode(result.kind!) })).pan;
        if (only.kind !== result.kind || only.depth !== result.trace?.length) problems.push(`${where}; with only ${result.kind}: ${only.kind} in ${only.depth}`);
      }
    }
  };
  // Two at a time: gcc dominates, and the machine has two cores.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await compare(jobs[next++]);
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(problems, []);
});

test('cancel_work_sync then free with a racing queue_work: the worker reaches the freed object', () => {
  const { file, text } = load('work-cancel-requeue.lifetime');
  const baseline = byName(checkModel(file, undefined, { exact: true }).proposals, 'baseline');
  const events = baseline.trace!.map((step) => `${step.actor}: ${step.event}`);
  const cancel = events.findIndex((e) => e.startsWith('remove: cancel_work_sync'));
  const queue = events.findIndex((e) => e.startsWith('interrupt: queue_work'));
  const free = events.findIndex((e) => e.startsWith('remove: free dev'));
  assert.ok(cancel >= 0 && cancel < queue && queue < free, events.join('\n'));
  assert.equal(baseline.trace!.at(-1)!.actor, 'dev.reset');
  assert.match(baseline.message!, /work dev.reset runs: dev was freed/);
  assert.match(renderTraceDiagram(baseline.trace!, text), /dev\.reset/);
});

test('synchronize_rcu does not wait for a reader that begins after it', () => {
  const { file } = load('rcu-late-reader.lifetime');
  const baseline = byName(checkModel(file, undefined, { exact: true }).proposals, 'baseline');
  const events = baseline.trace!.map((step) => step.event);
  const synchronize = events.findIndex((e) => e.startsWith('synchronize_rcu'));
  const lock = events.findIndex((e) => e.startsWith('rcu_read_lock'));
  assert.ok(synchronize >= 0 && synchronize < lock, events.join('\n'));
});

test('a timer re-armed through its own work item outlives del_timer_sync', () => {
  const { file } = load('timer-rearm-via-work.lifetime');
  const baseline = byName(checkModel(file, undefined, { exact: true }).proposals, 'baseline');
  const events = baseline.trace!.map((step) => `${step.actor}: ${step.event}`);
  const deleted = events.findIndex((e) => e.startsWith('driver: del_timer_sync'));
  const rearm = events.findIndex((e, i) => i > deleted && e.startsWith('dev.kick: mod_timer'));
  assert.ok(deleted >= 0 && rearm > deleted, events.join('\n'));
  assert.match(baseline.message!, /timer dev\.poll fires: dev was freed/);
});

test('an idle worker is no deadlock, and a work item pending at the end still runs', () => {
  const { file } = load('work-idle-worker.lifetime');
  const result = checkModel(file, undefined, { exact: true }).proposals[0];
  assert.equal(result.verdict, 'safe');
  // Queued, started, freed: the end of the scenario waited for the worker.
  assert.equal(result.depth, 3);
});

test('misuse is reported with its own code', () => {
  assert.equal(violationCode('api-misuse')?.code, 'LT3101');
  assert.equal(violationCode('rcu-escape')?.code, 'LT3102');
  const cases: [string, RegExp][] = [
    ['percpu-release.lifetime', /percpu_ref_kill called more than once/],
    ['rcu-misuse.lifetime', /rcu_read_unlock: not inside a read-side section/],
    ['completion-all-twice.lifetime', /complete_all twice without reinit_completion/],
  ];
  for (const [name, message] of cases) {
    const { file } = load(name);
    const misuse = checkModel(file, undefined, { exact: true }).proposals.find((p) => p.kind === 'api-misuse');
    assert.ok(misuse, name);
    assert.match(misuse.message!, message);
  }
});

test('kref_put_mutex runs the release holding the mutex, and releases it afterwards', () => {
  const text = `object obj { ref refs = 1 on zero { assert held reg.m; free obj } }
static reg { lock m }
thread t { put obj.refs locking reg.m; assert !held reg.m; lock reg.m; unlock reg.m }
`;
  const result = checkModel(parse(text).file, undefined, { exact: true }).proposals[0];
  assert.equal(result.verdict, 'safe', result.message);
  // The drop above one needs no lock: one step, and the lock is never taken.
  const above = `object obj { ref refs = 2 on zero free obj }
static reg { lock m }
thread t { put obj.refs locking reg.m }
`;
  const quick = checkModel(parse(above).file, undefined, { exact: true }).proposals[0];
  assert.equal(quick.kind, 'leak');
  assert.equal(quick.trace?.length, 1);
});

test('instances of a thread array that flush or wait for grace periods are not treated as interchangeable', () => {
  const text = `object entry
static list { ptr head -> entry = entry; int readers = 0 in 0..2 }
thread reader[2] { rcu_read_lock; let e = rcu_dereference list.head; if e != null { use e }; rcu_read_unlock }
thread updater { clear list.head; synchronize_rcu; free entry }
`;
  const file = parse(text).file;
  const { system } = lowerModel(file, 'baseline');
  assert.ok(system.actors.every((actor) => actor.symmetryGroup === -1));
  const exact = checkModel(file, undefined, { exact: true }).proposals[0];
  const reduced = checkModel(file, undefined, {}).proposals[0];
  assert.equal(exact.verdict, 'safe');
  assert.equal(reduced.verdict, 'safe');
  const plain = lowerModel(parse('object o { ref r = 2 on zero free o }\nthread w[2] { put o.r }\n').file, 'baseline').system;
  assert.ok(plain.actors.every((actor) => actor.symmetryGroup === 0));
});

/** The kinds a proposal reaches, each once. */
function kindsOf(result: ProposalResult): string[] {
  return (result.violations ?? []).map((violation) => violation.kind);
}

test('the livelock check counts an idle handler as finished, and names only what stays unfinished on the cycle', () => {
  const check = (text: string): ProposalResult => checkModel(parse(text).file, undefined, { exact: true }).proposals[0];
  // Queued once, the worker sets the flag the thread spins on, then stays idle: no livelock.
  const queuedOnce = check('static s { flag f = false }\nobject dev long-lived { work w { set s.f } }\nthread t { queue_work dev.w; while !s.f { } }\n');
  assert.equal(queuedOnce.verdict, 'safe', queuedOnce.message);
  // The only work item that sets the flag is never queued: the thread spins forever, and the idle
  // worker is not named as a starving thread.
  const neverQueued = check('static s { flag f = false }\nobject dev long-lived { work w { set s.f } }\nthread t { while !s.f { } }\n');
  assert.deepEqual(kindsOf(neverQueued), ['livelock']);
  assert.equal(neverQueued.message, 'livelock: t loops forever without finishing (a fair cycle of 1 step)');
  // A timer that re-arms itself after every thread has finished: the cycle the search enters first
  // has the handler mid-run, but it goes idle on each round, so it is no livelock.
  const rearming = check('static s { flag f = false; flag g = false }\nobject dev long-lived { timer t { set s.g; mod_timer dev.t; use dev } }\nthread a { mod_timer dev.t; wait until s.g; set s.f }\n');
  assert.equal(rearming.verdict, 'safe', rearming.message);
  // A worker that spins while a re-arming timer toggles its flag: its busy states hold a fair cycle
  // inside a component where it is also idle (it re-queues itself).
  const spinningHandler = check('static s { flag f = false }\nobject dev long-lived { work w { while !s.f { }; queue_work dev.w } timer t { set s.f; clear s.f; mod_timer dev.t } }\nthread a { queue_work dev.w; mod_timer dev.t }\n');
  assert.deepEqual(kindsOf(spinningHandler), ['livelock']);
  assert.match(spinningHandler.message!, /^livelock: dev\.w loops forever without finishing/);
});

test('waiting on a mechanism of a freed object reports the use-after-free instead of blocking', () => {
  const check = (text: string): ProposalResult => checkModel(parse(text).file, undefined, { exact: true }).proposals[0];
  const completion = check('object req { completion done }\nthread a { free req; wait_for_completion req.done }\n');
  assert.deepEqual(kindsOf(completion), ['use-after-free']);
  assert.match(completion.message!, /wait_for_completion req\.done/);
  const timer = check('object dev { timer t { use dev } }\nthread a { free dev; del_timer_sync dev.t }\n');
  assert.deepEqual(kindsOf(timer), ['use-after-free']);
  const coupled = check('object obj { ref refs = 1 on zero free obj }\nobject reg { lock m }\nthread a { free reg; put obj.refs locking reg.m }\n');
  assert.ok(kindsOf(coupled).includes('use-after-free'), kindsOf(coupled).join(', '));
  assert.ok(!kindsOf(coupled).includes('deadlock'), kindsOf(coupled).join(', '));
});
