// The engine's public results. Everything here is plain data: JSON-serialisable, so that a worker
// thread can post it to the language server and the CLI can print it as JSON.

import type { Diagnostic } from '../diagnostics/codes';
import type { ViolationKind } from '../syntax/ast';
import type { CBodyTranslator } from './lower/context';

/** Checked often by the search; an editor sets it to abandon a run. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

export interface EngineProgress {
  proposal: string;
  states: number;
  depth: number;
  statesPerSecond: number;
}

export interface EngineOptions {
  /** Turn reductions (partial order, symmetry) off, so traces are the true minimum. */
  exact?: boolean;
  /** Stop after this many stored states; the verdict is then `incomplete`. */
  maxStates?: number;
  /** Stop when the state store would exceed this many bytes. */
  maxMemoryBytes?: number;
  /** Stop after this many milliseconds of search. */
  timeoutMs?: number;
  cancel?: CancellationToken;
  /** Check only these proposals (`baseline` included by name); all when absent. */
  proposals?: string[];
  /** Collect per-step facts for hovers and inlay hints (costs some time). */
  collectFacts?: boolean;
  onProgress?: (progress: EngineProgress) => void;
  /** Translates `c { ... }` bodies (the C front end's translator); without it they are not checked. */
  translateC?: CBodyTranslator;
  /**
   * Threads of one exact search (`--search-workers`): above 1, the safety search of an `exact`
   * check runs layer by layer on that many threads, with the same results. Default 1.
   */
  searchWorkers?: number;
}

export type Verdict = 'safe' | 'violation' | 'incomplete';

/** One variable's change at a trace step, e.g. `mm.users` from `1` to `0`. */
export interface StateChange {
  name: string;
  before: string;
  after: string;
}

export interface TraceStep {
  /** The thread or device that moved: `cpu0`, `worker[1]`, `smmu_dev`. */
  actor: string;
  actorKind: 'thread' | 'device';
  /** Source range of the statement (offsets into the checked file). */
  start: number;
  end: number;
  /** What happened, in words: `put mm.users (users 1→0)`, `dma issue mm`, `free domain`. */
  event: string;
  changes: StateChange[];
  /** The effects of the step in words (`takes group.mutex`, `mm.users 1→0`), as `event` ends with them in parentheses. */
  notes?: string[];
  /** Set on the steps of an on-zero release action: the counter whose drop to zero runs it (`mm.users`). */
  onZero?: string;
  /** On the last step of a violation trace: what went wrong (for a deadlock or leak, in the state after it). */
  violation?: { kind: ViolationKind; message: string; blocked?: BlockedActor[] };
}

/** A thread that a deadlock leaves blocked: where it waits and what for. */
export interface BlockedActor {
  actor: string;
  actorKind: 'thread' | 'device';
  /** Source range of the statement it is blocked at (a `wait`, a `lock`). */
  start: number;
  end: number;
  /** The statement, as written: `wait until mdev.done`. */
  statement: string;
  /** What keeps it waiting, in the final state: `mdev.done is false`, `iommu.lock is held by release`. */
  waitsFor: string;
}

/** One violation of a proposal: its kind, where it fails and the shortest trace to it. */
export interface ViolationReport {
  kind: ViolationKind;
  message: string;
  violationStart: number;
  violationEnd: number;
  trace: TraceStep[];
  /** For a lasso trace (a progress violation): the index in `trace` of the first step of the cycle that repeats forever. */
  cycleStart?: number;
}

/** The values one variable takes at a program point over all reachable states. */
export interface ValueSummary {
  name: string;
  /** Up to 8 values, in order; when there are more, `values` is empty and `min`/`max` give the range. */
  values: string[];
  min?: number;
  max?: number;
}

/** What the search saw at one statement (a step location). */
export interface StepFacts {
  start: number;
  end: number;
  /** Which actors execute this statement. */
  actors: string[];
  /** How many reachable states execute it. */
  states: number;
  before: ValueSummary[];
  after: ValueSummary[];
  /** Transitions of reference counts observed at this step, e.g. `users 2→1`. */
  transitions: string[];
  /** Other actors that can take a step in states where this step is enabled. */
  interleavers: string[];
}

export interface ProposalResult {
  /** `baseline` or the proposal's name. */
  name: string;
  title?: string;
  /** Range of the proposal's name (the `model` line, or the start of the file, for the baseline). */
  start: number;
  end: number;
  verdict: Verdict;
  kind?: ViolationKind;
  /** One line: what went wrong and where. */
  message?: string;
  /** Range of the failing step. */
  violationStart?: number;
  violationEnd?: number;
  trace?: TraceStep[];
  /** For a lasso trace (`livelock`): the index in `trace` where the repeating cycle starts. */
  cycleStart?: number;
  /**
   * Every reachable violation kind, each with its own shortest trace, shortest first: the first is
   * the one `kind`, `message` and `trace` describe. Absent when the verdict is not a violation.
   */
  violations?: ViolationReport[];
  states: number;
  transitions: number;
  depth: number;
  ms: number;
  /**
   * Why the verdict is `incomplete`: a budget stopped the search (`states`, `memory`, `time`), it was
   * cancelled, the verdict comes from random runs (`simulation`), which prove nothing safe, or the
   * engine failed (`internal-error`: a bug, reported with LT3506; the CLI exits with 2).
   */
  incompleteReason?: 'states' | 'memory' | 'time' | 'cancelled' | 'simulation' | 'internal-error';
  /** `safe` or the violation kinds (joined with `, `), when the file states an expectation. */
  expected?: string;
  expectationMet?: boolean;
  facts?: StepFacts[];
  /** Why no verdict could be computed (e.g. a C body without the C front end); the verdict is then `incomplete`. */
  skipped?: string;
  /** The seed of a random simulation, to replay it. */
  seed?: number;
}

export interface ModelResult {
  proposals: ProposalResult[];
  /** Errors that kept a proposal from being lowered (e.g. a C body that could not be translated). */
  diagnostics: Diagnostic[];
}
