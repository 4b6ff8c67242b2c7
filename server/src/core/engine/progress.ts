// The progress check: a livelock is a reachable cycle, fair to every actor in the weak sense (an
// actor enabled in every state of the cycle takes a step in it), in which some thread takes steps
// while a thread that has not finished never finishes. Its trace is a lasso: the shortest prefix to
// the cycle, then the cycle.
//
// The check runs on the exact state graph, never on a reduced one (partial-order and symmetry
// reduction as the safety search applies them need not preserve fair cycles). It stores the graph
// (states, edges, enabled actors), computes its strongly connected components (Tarjan) and accepts
// a component when a thread moves inside it, a thread in it is unfinished in all of its states
// (finishing is final for a thread; a handler, which finishes each run at its idle point, must be
// busy throughout), and every actor either moves inside it or is disabled in one of its states: a
// closed walk through all of the component's states and edges is then a weakly fair cycle. Locks
// are strongly fair, as the kernel's are, and so is a wait the kernel ends however often the other
// side comes back (`del_timer_sync`): see `fairComponents`. When no thread's or handler's
// program has a loop, no cycle has a thread step, and the check costs nothing. (A handler's program
// loops through its idle point, so a model with a work item, a timer or an RCU callback is checked.)

import type { CompiledSystem } from './compile';
import { initialState, type Actor, type Op, type TransitionSystem } from './ir';
import { runStep, traceStepOf } from './trace';
import type { CancellationToken, TraceStep, ViolationReport } from './types';

export interface ProgressOptions {
  maxStates: number;
  maxMemoryBytes: number;
  /** `performance.now()` after which the check stops. */
  deadline: number;
  cancel?: CancellationToken;
  /**
   * Locks hand off as the kernel's do (the default): a thread that could take the lock it waits for
   * somewhere in a cycle is not starved by it. `false` checks plain weak fairness, as SPIN's `-f`.
   */
  fairLocks?: boolean;
}

export interface ProgressOutcome {
  violation?: ViolationReport;
  /** Set when a budget stopped the check before it covered the state graph. */
  incompleteReason?: 'states' | 'memory' | 'time' | 'cancelled';
  states: number;
}

/** Whether some thread's program can return to a point it has left (a loop): only then can a livelock exist. */
export function threadsCanLoop(system: TransitionSystem): boolean {
  return system.actors.some((actor) => actor.kind === 'thread' && hasLoop(actor));
}

function successorsOf(ops: Op[], into: number[]): void {
  for (const op of ops) {
    if (op.k === 'goto') into.push(op.pc);
    else if (op.k === 'if') {
      successorsOf(op.then, into);
      successorsOf(op.else, into);
    }
  }
}

function hasLoop(actor: Actor): boolean {
  const next: number[][] = actor.points.map(() => []);
  for (const t of actor.transitions) {
    next[t.from].push(t.next);
    successorsOf(t.ops, next[t.from]);
  }
  // Colours: 0 unvisited, 1 on the stack, 2 done. Iterative depth-first search for a back edge.
  const colour = new Uint8Array(actor.points.length);
  for (let root = 0; root < actor.points.length; root++) {
    if (colour[root] !== 0) continue;
    const stack: { point: number; edge: number }[] = [{ point: root, edge: 0 }];
    colour[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.edge >= next[top.point].length) {
        colour[top.point] = 2;
        stack.pop();
        continue;
      }
      const to = next[top.point][top.edge++];
      if (to < 0 || to >= actor.points.length) continue;
      if (colour[to] === 1) return true;
      if (colour[to] === 0) {
        colour[to] = 1;
        stack.push({ point: to, edge: 0 });
      }
    }
  }
  return false;
}

class Stop extends Error {
  constructor(readonly reason: 'states' | 'memory' | 'time' | 'cancelled') {
    super(`the progress check stopped (${reason})`);
  }
}

/** Growable Int32 storage. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

/** The explicit state graph: packed states in breadth-first order, with edges and enabled actors. */
class StateGraph {
  states: Uint32Array;
  count = 0;
  private table: Int32Array;
  readonly parent = new IntList();
  /** The move (`actor * 65536 + transition`) from the parent. */
  readonly parentMove = new IntList();
  /** Edges of state `i`: `edgeStart[i] .. edgeStart[i + 1] - 1` in `edgeTarget` and `edgeMove`. */
  readonly edgeStart = new IntList();
  readonly edgeTarget = new IntList();
  readonly edgeMove = new IntList();
  /** `enabledWords` words per state: bit `a` set when actor `a` has an enabled transition. */
  readonly enabled = new IntList();
  /** Like `enabled`, for the actors that can take a lock they wait for (a guarded step that makes them its owner). */
  readonly lockEnabled = new IntList();
  readonly enabledWords: number;
  /** Per actor and transition: 1 when the step waits for a lock and takes it, or waits for something else handed over in the end. */
  private readonly takesLock: Uint8Array[];

  constructor(
    private readonly compiled: CompiledSystem,
    private readonly options: ProgressOptions,
  ) {
    this.states = new Uint32Array(256 * compiled.words);
    this.table = new Int32Array(512).fill(-1);
    this.enabledWords = Math.max(1, Math.ceil(compiled.system.actors.length / 32));
    const owners = new Set(compiled.system.variables.filter((v) => v.kind === 'lockOwner').map((v) => v.index));
    this.takesLock = compiled.system.actors.map((actor) => Uint8Array.from(actor.transitions, (t) => (t.guard !== undefined && (t.handedOver === true || assignsAny(t.ops, owners)) ? 1 : 0)));
  }

  get bytes(): number {
    return this.states.byteLength + this.table.byteLength + (this.parent.data.byteLength + this.edgeTarget.data.byteLength) * 2 + this.edgeStart.data.byteLength + this.enabled.data.byteLength;
  }

  /** The index of the packed state `candidate`, added (with its parent and move) when new. */
  intern(candidate: Uint32Array, parent: number, move: number): number {
    const words = this.compiled.words;
    let mask = this.table.length - 1;
    let slot = this.compiled.hash(candidate, 0) & mask;
    for (;;) {
      const index = this.table[slot];
      if (index < 0) break;
      let same = true;
      for (let w = 0; w < words && same; w++) same = this.states[index * words + w] === candidate[w];
      if (same) return index;
      slot = (slot + 1) & mask;
    }
    if (this.count >= this.options.maxStates) throw new Stop('states');
    if (this.bytes > this.options.maxMemoryBytes) throw new Stop('memory');
    if ((this.count + 1) * words > this.states.length) {
      const grown = new Uint32Array(this.states.length * 2);
      grown.set(this.states);
      this.states = grown;
    }
    const index = this.count++;
    this.states.set(candidate.subarray(0, words), index * words);
    this.parent.push(parent);
    this.parentMove.push(move);
    this.table[slot] = index;
    if (this.count * 2 > this.table.length) {
      this.table = new Int32Array(this.table.length * 2).fill(-1);
      mask = this.table.length - 1;
      for (let i = 0; i < this.count; i++) {
        let s = this.compiled.hash(this.states, i * words) & mask;
        while (this.table[s] >= 0) s = (s + 1) & mask;
        this.table[s] = i;
      }
    }
    return index;
  }

  /** Explores every reachable state breadth-first, recording edges and enabled actors. */
  explore(): void {
    const compiled = this.compiled;
    const system = compiled.system;
    const state = new Int32Array(compiled.variableCount);
    const after = new Int32Array(compiled.variableCount);
    const packed = new Uint32Array(compiled.words);
    const enabledBits = new Int32Array(this.enabledWords);
    const lockBits = new Int32Array(this.enabledWords);
    compiled.pack(Int32Array.from(initialState(system)), packed, 0);
    this.intern(packed, -1, -1);
    for (let i = 0; i < this.count; i++) {
      if ((i & 1023) === 0) this.checkTime();
      compiled.unpack(this.states, i * compiled.words, state);
      this.edgeStart.push(this.edgeTarget.length);
      enabledBits.fill(0);
      lockBits.fill(0);
      for (const actor of system.actors) {
        const { guards, steps } = compiled.actors[actor.index];
        for (const id of actor.points[state[actor.pcVar]]?.transitions ?? []) {
          const guard = guards[id];
          if (guard !== null && !guard(state)) continue;
          after.set(state);
          const result = steps[id](after);
          if (result === -1) continue;
          enabledBits[actor.index >>> 5] |= 1 << (actor.index & 31);
          if (this.takesLock[actor.index][id]) lockBits[actor.index >>> 5] |= 1 << (actor.index & 31);
          // A failing step ends its run: the safety search reports it, and it has no successor.
          if (result > 0) continue;
          compiled.pack(after, packed, 0);
          const move = actor.index * 65536 + id;
          this.edgeTarget.push(this.intern(packed, i, move));
          this.edgeMove.push(move);
        }
      }
      for (let w = 0; w < this.enabledWords; w++) {
        this.enabled.push(enabledBits[w]);
        this.lockEnabled.push(lockBits[w]);
      }
    }
    this.edgeStart.push(this.edgeTarget.length);
  }

  private checkTime(): void {
    if (this.options.cancel?.isCancellationRequested) throw new Stop('cancelled');
    if (performance.now() > this.options.deadline) throw new Stop('time');
  }

  /** Whether `actor` (a thread or handler) is at its end point in stored state `state`. */
  isFinished(state: number, actor: number, scratch: Int32Array): boolean {
    this.compiled.unpack(this.states, state * this.compiled.words, scratch);
    const a = this.compiled.system.actors[actor];
    return scratch[a.pcVar] === a.endPc;
  }

  isEnabled(state: number, actor: number): boolean {
    return (this.enabled.data[state * this.enabledWords + (actor >>> 5)] & (1 << (actor & 31))) !== 0;
  }

  canTakeLock(state: number, actor: number): boolean {
    return (this.lockEnabled.data[state * this.enabledWords + (actor >>> 5)] & (1 << (actor & 31))) !== 0;
  }
}

function assignsAny(ops: Op[], variables: Set<number>): boolean {
  return ops.some((op) => (op.k === 'assign' && variables.has(op.v)) || (op.k === 'if' && (assignsAny(op.then, variables) || assignsAny(op.else, variables))));
}

/** Strongly connected components (iterative Tarjan): the component number of each state. */
function components(graph: StateGraph, alive: Uint8Array): { of: Int32Array; count: number } {
  const n = graph.count;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const of = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new IntList();
  const callState = new IntList();
  const callEdge = new IntList();
  const starts = graph.edgeStart.data;
  const targets = graph.edgeTarget.data;
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0 || !alive[root]) continue;
    callState.push(root);
    callEdge.push(starts[root]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callState.length > 0) {
      const top = callState.length - 1;
      const v = callState.data[top];
      const e = callEdge.data[top];
      if (e < starts[v + 1]) {
        callEdge.data[top] = e + 1;
        const w = targets[e];
        if (!alive[w]) continue;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callState.push(w);
          callEdge.push(starts[w]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      callState.length--;
      callEdge.length--;
      if (callState.length > 0) {
        const parent = callState.data[callState.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.data[--stack.length];
          onStack[w] = 0;
          of[w] = count;
        } while (w !== v);
        count++;
      }
    }
  }
  return { of, count };
}

/** A fair component's facts: its entry (the state with the lowest breadth-first index) and its states. */
interface FairComponent {
  entry: number;
  members: number[];
}

/**
 * The fair components. A component is kept when a thread moves inside it, a thread or handler in
 * it is unfinished in all of its states, and every actor moves inside it or is disabled in one of
 * its states (weak fairness).
 * Locks are fair as the kernel's are (mutex hand-off, queued spinlocks): an actor that could take a
 * lock it waits for in some state of the component must move inside it, so those states are
 * removed and what is left is split into components again.
 */
function fairComponents(graph: StateGraph, compiled: CompiledSystem, fairLocks: boolean): FairComponent[] {
  const system = compiled.system;
  const state = new Int32Array(compiled.variableCount);
  const fair: FairComponent[] = [];
  const isThread = Uint8Array.from(system.actors, (a) => (a.kind === 'thread' ? 1 : 0));
  const pending: Uint8Array[] = [new Uint8Array(graph.count).fill(1)];
  while (pending.length > 0) {
    const alive = pending.pop()!;
    const { of, count } = components(graph, alive);
    // Most components are single states without a step back to themselves: only those where a
    // thread moves inside (an edge between two of their states) are looked at further.
    const threadMoves = new Uint8Array(count);
    let candidates = 0;
    for (let s = 0; s < graph.count; s++) {
      const c = of[s];
      if (c < 0 || threadMoves[c] === 1) continue;
      for (let e = graph.edgeStart.data[s]; e < graph.edgeStart.data[s + 1]; e++) {
        if (of[graph.edgeTarget.data[e]] === c && isThread[Math.floor(graph.edgeMove.data[e] / 65536)] === 1) {
          threadMoves[c] = 1;
          candidates++;
          break;
        }
      }
    }
    if (candidates === 0) continue;
    const members = new Map<number, number[]>();
    for (let i = 0; i < graph.count; i++) {
      const c = of[i];
      if (c < 0 || threadMoves[c] === 0) continue;
      const list = members.get(c);
      if (list) list.push(i);
      else members.set(c, [i]);
    }
    for (const [c, states] of members) {
      const moves = new Uint8Array(system.actors.length);
      for (const s of states) {
        for (let e = graph.edgeStart.data[s]; e < graph.edgeStart.data[s + 1]; e++) {
          if (of[graph.edgeTarget.data[e]] === c) moves[Math.floor(graph.edgeMove.data[e] / 65536)] = 1;
        }
      }
      const { throughout, sometimes } = unfinishedIn(compiled, graph, states, state);
      if (throughout.length === 0) {
        // A handler finishes each run at its idle point and may run again: a component in which it
        // is idle somewhere does not keep it from finishing. The states where it is busy may still
        // hold a cycle that does, so they are split into components again.
        for (const handler of sometimes) {
          const busy = new Uint8Array(graph.count);
          for (const s of states) if (!graph.isFinished(s, handler, state)) busy[s] = 1;
          pending.push(busy);
        }
        continue;
      }
      const idle = system.actors.filter((a) => moves[a.index] === 0);
      if (!idle.every((a) => states.some((s) => !graph.isEnabled(s, a.index)))) continue;
      const lockWaiting = fairLocks ? states.filter((s) => idle.some((a) => graph.canTakeLock(s, a.index))) : [];
      if (lockWaiting.length === 0) {
        fair.push({ entry: Math.min(...states), members: states });
        continue;
      }
      if (lockWaiting.length === states.length) continue;
      const rest = new Uint8Array(graph.count);
      for (const s of states) rest[s] = 1;
      for (const s of lockWaiting) rest[s] = 0;
      pending.push(rest);
    }
  }
  return fair.sort((a, b) => a.entry - b.entry);
}

/**
 * The threads and handlers that are unfinished in every state of `states` (`throughout`), and the
 * handlers that are busy in some of them and idle in others (`sometimes`). A thread's finishing is
 * final, so a thread is in one of the two states everywhere in a cycle; a handler (a work item's
 * worker, a timer, an RCU callback) finishes each run at its idle point, where it counts as finished.
 */
function unfinishedIn(compiled: CompiledSystem, graph: StateGraph, states: readonly number[], scratch: Int32Array): { throughout: number[]; sometimes: number[] } {
  const actors = compiled.system.actors.filter((a) => a.kind === 'thread');
  const busy = new Int32Array(compiled.system.actors.length);
  for (const s of states) {
    compiled.unpack(graph.states, s * compiled.words, scratch);
    for (const a of actors) if (scratch[a.pcVar] !== a.endPc) busy[a.index]++;
  }
  return {
    throughout: actors.filter((a) => busy[a.index] === states.length).map((a) => a.index),
    sometimes: actors.filter((a) => busy[a.index] > 0 && busy[a.index] < states.length).map((a) => a.index),
  };
}

/**
 * A closed walk from the component's entry that is weakly fair: for each actor in turn, it goes
 * (by shortest paths inside the component) to a step of that actor, or to a state where the actor
 * is disabled, whichever is nearer; then back to the entry. Returns the moves and states visited.
 */
function fairCycle(graph: StateGraph, component: FairComponent, system: TransitionSystem): { moves: number[]; states: number[] } {
  const actors = system.actors.length;
  const isThreadMove = (move: number): boolean => system.actors[Math.floor(move / 65536)].kind === 'thread';
  const inside = new Set(component.members);
  const moves: number[] = [];
  const states: number[] = [component.entry];
  let at = component.entry;
  const walkTo = (goal: (s: number) => boolean, takeEdge: ((move: number) => boolean) | undefined): void => {
    // Breadth-first inside the component from `at` to the nearest state that satisfies `goal`, or
    // that has an edge inside the component satisfying `takeEdge` (which is then taken).
    const previous = new Map<number, { from: number; move: number }>([[at, { from: -1, move: -1 }]]);
    const queue = [at];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      let finalMove = -1;
      let finalTarget = -1;
      if (!goal(s) && takeEdge) {
        for (let e = graph.edgeStart.data[s]; e < graph.edgeStart.data[s + 1]; e++) {
          if (inside.has(graph.edgeTarget.data[e]) && takeEdge(graph.edgeMove.data[e])) {
            finalMove = graph.edgeMove.data[e];
            finalTarget = graph.edgeTarget.data[e];
            break;
          }
        }
      }
      if (goal(s) || finalMove >= 0) {
        const path: { move: number; to: number }[] = [];
        for (let p = s; p !== at; p = previous.get(p)!.from) path.push({ move: previous.get(p)!.move, to: p });
        path.reverse();
        if (finalMove >= 0) path.push({ move: finalMove, to: finalTarget });
        for (const step of path) {
          moves.push(step.move);
          states.push(step.to);
        }
        at = path.length > 0 ? path[path.length - 1].to : at;
        return;
      }
      for (let e = graph.edgeStart.data[s]; e < graph.edgeStart.data[s + 1]; e++) {
        const t = graph.edgeTarget.data[e];
        if (!inside.has(t) || previous.has(t)) continue;
        previous.set(t, { from: s, move: graph.edgeMove.data[e] });
        queue.push(t);
      }
    }
  };
  for (let a = 0; a < actors; a++) {
    const stepped = moves.some((m) => Math.floor(m / 65536) === a) || states.some((s) => !graph.isEnabled(s, a));
    if (stepped) continue;
    walkTo((s) => !graph.isEnabled(s, a), (move) => Math.floor(move / 65536) === a);
  }
  if (!moves.some((m) => isThreadMove(m))) walkTo(() => false, isThreadMove);
  walkTo((s) => s === component.entry, undefined);
  return { moves, states };
}

/** The livelock of the compiled system, if any, with a lasso trace. Never throws on a budget. */
export function checkProgress(compiled: CompiledSystem, options: ProgressOptions): ProgressOutcome {
  if (!threadsCanLoop(compiled.system)) return { states: 0 };
  const graph = new StateGraph(compiled, options);
  try {
    graph.explore();
  } catch (error) {
    if (error instanceof Stop) return { incompleteReason: error.reason, states: graph.count };
    if (error instanceof RangeError) return { incompleteReason: 'memory', states: graph.count };
    throw error;
  }
  const fair = fairComponents(graph, compiled, options.fairLocks ?? true);
  if (fair.length === 0) return { states: graph.count };
  return { violation: lassoReport(graph, compiled, fair[0]), states: graph.count };
}

function lassoReport(graph: StateGraph, compiled: CompiledSystem, component: FairComponent): ViolationReport {
  const system = compiled.system;
  const prefix: number[] = [];
  for (let s = component.entry; graph.parent.data[s] >= 0; s = graph.parent.data[s]) prefix.push(graph.parentMove.data[s]);
  prefix.reverse();
  const cycle = fairCycle(graph, component, system);
  const trace: TraceStep[] = [];
  let real: Int32Array = Int32Array.from(initialState(system));
  for (const move of [...prefix, ...cycle.moves]) {
    const actor = Math.floor(move / 65536);
    const id = move % 65536;
    const { result, after } = runStep(compiled, actor, id, real);
    if (result !== 0) throw new Error('a step of the livelock cannot be replayed');
    trace.push(traceStepOf(compiled, actor, id, real, after));
    real = after;
  }
  const inCycle = new Set(cycle.moves.map((m) => Math.floor(m / 65536)));
  // Only what stays unfinished on the whole cycle is named: a handler that is idle somewhere in it
  // finishes each of its runs.
  const throughout = new Set(unfinishedIn(compiled, graph, cycle.states, new Int32Array(compiled.variableCount)).throughout);
  const unfinished = system.actors.filter((a) => throughout.has(a.index));
  const starved = unfinished.filter((a) => !inCycle.has(a.index));
  const spinning = unfinished.filter((a) => inCycle.has(a.index));
  const at = (a: Actor): string => {
    const id = a.points[real[a.pcVar]]?.transitions[0];
    return id === undefined ? a.name : `${a.name} at \`${a.transitions[id].event}\``;
  };
  const parts: string[] = [];
  if (starved.length > 0) parts.push(`${starved.map(at).join(', ')} never ${starved.length === 1 ? 'runs' : 'run'} again`);
  if (spinning.length > 0) parts.push(`${spinning.map((a) => a.name).join(', ')} ${spinning.length === 1 ? 'loops' : 'loop'} forever without finishing`);
  const message = `livelock: ${parts.join(', while ')} (a fair cycle of ${cycle.moves.length} step${cycle.moves.length === 1 ? '' : 's'})`;
  const cycleStart = prefix.length;
  const last = trace.at(-1);
  if (last) last.violation = { kind: 'livelock', message };
  const blocked = starved[0] ?? spinning[0];
  const blockedId = blocked ? blocked.points[real[blocked.pcVar]]?.transitions[0] : undefined;
  // The report sits where the starved (or spinning) thread is stuck, else on the cycle's first step.
  const place = blocked && blockedId !== undefined ? blocked.transitions[blockedId] : trace[cycleStart];
  if (!place) throw new Error('the livelock has no step to report it on');
  return { kind: 'livelock', message, violationStart: place.start, violationEnd: place.end, trace, cycleStart };
}
