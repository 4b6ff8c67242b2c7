// Export of a lowered transition system as a Promela model, so that SPIN can cross-check the engine
// and check models too big for the engine on one machine (`lifetime check --backend spin`).
//
// The exported model has the semantics of the IR (see ir.ts) step for step: one IR step is one
// `d_step`, so SPIN's depths match the engine's trace lengths, and the control state of each process
// is a function of its program counter, so with `spin -a -o2` and `-DNOREDUCE` the two state graphs
// have the same size. promelaWriter.ts says how the text keeps SPIN's partial-order reduction
// usable: process-local program counters and variables, violations asserted inside the steps.
//
// Compiling with `-DONLY_KIND=K` keeps only kind K's assertions: a state reached through another
// violation is then a silent dead end, which finds the shortest trace to kind K alone.

export { BLK_RUNNING, blockedName, type PromelaStepLine, type WrittenPromela } from './promelaWriter';
import type { Diagnostic } from '../diagnostics/codes';
import { VIOLATION_KINDS, type SourceFile, type ViolationKind } from '../syntax/ast';
import type { TransitionSystem } from './ir';
import { lowerModel, type CBodyTranslator } from './lower/index';
import { PromelaWriter, promelaKindCode, type WrittenPromela } from './promelaWriter';

/** The code stored in `err` for each violation kind; 0 means no violation. */
export { promelaKindCode };

/** The violation kind of an `err` code, or undefined for 0 and unknown codes. */
export function kindOfPromelaCode(code: number): ViolationKind | undefined {
  return VIOLATION_KINDS[code - 1];
}

export interface PanVerdict {
  /** `violation` when pan reported an assertion of the exported monitor, `safe` when it found none. */
  verdict: 'safe' | 'violation' | 'unknown';
  kind?: ViolationKind;
  /**
   * The number of model steps in the trace, like the engine's trace length: pan's depth of the
   * error, plus one when the assertion failed inside a step (pan counts the steps before it).
   */
  depth?: number;
  /** States stored, transitions and pan's own elapsed seconds, when pan printed them. */
  states?: number;
  transitions?: number;
  seconds?: number;
  /** State-vector size in bytes and memory used in megabytes, when printed. */
  stateVectorBytes?: number;
  memoryMegabytes?: number;
  /** Why the verdict is `unknown`: pan's error line, or a note that its output was not recognised. */
  problem?: string;
}

/**
 * Reads the output of a pan compiled from an exported model: the verdict, the kind (from the
 * `err!=K` assertion text), the depth and the statistics. Never throws.
 */
export function parsePanOutput(output: string): PanVerdict {
  const result: PanVerdict = { verdict: 'unknown' };
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : undefined;
  };
  result.states = number(/^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) states, stored/m);
  result.transitions = number(/^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) transitions \(= /m);
  result.seconds = number(/pan: elapsed time ([\d.e+]+) seconds/);
  result.stateVectorBytes = number(/State-vector (\d+) byte/);
  result.memoryMegabytes = number(/^\s*([\d.]+)\s+total actual memory usage/m);
  const errors = number(/errors: (\d+)/);
  // A step asserts on its own `err` and the monitor on `serr` (a state violation, no step added).
  const assertion = /pan:\d+: assertion violated .*?\b(s?)err!=(\d+).*\(at depth (\d+)\)/.exec(output);
  if (assertion) {
    const kind = kindOfPromelaCode(Number(assertion[2]));
    if (!kind) return { ...result, problem: `unknown violation code ${assertion[2]} in pan's output` };
    return { ...result, verdict: 'violation', kind, depth: Number(assertion[3]) + (assertion[1] === 's' ? 0 : 1) };
  }
  const otherError = /pan:\d+: (.*)/.exec(output) ?? /pan: (.*(?:error|out of memory|aborted).*)/i.exec(output);
  if (otherError) return { ...result, problem: otherError[1].trim() };
  if (errors === 0) return { ...result, verdict: 'safe' };
  return { ...result, problem: 'pan printed no verdict' };
}

// ---------------------------------------------------------------------------------------------
// The exporter.

/** A Promela model with the semantics of `system`, ready for `spin -a`. */
export function exportPromela(system: TransitionSystem): string {
  return new PromelaWriter(system).write().text;
}

/** The export with the line of every step, for reading SPIN's trails back (see spinTrail.ts). */
export function exportPromelaWithSteps(system: TransitionSystem): WrittenPromela {
  return new PromelaWriter(system).write();
}

export interface PromelaExport {
  /** The Promela model; absent when the variant could not be lowered completely. */
  text?: string;
  /** Why the variant could not be lowered, or notes from the lowering. */
  diagnostics: Diagnostic[];
}

/**
 * Lowers one variant (`baseline` or a proposal's name) of a checked file and exports it; C bodies
 * are translated with `translateC`. Never throws.
 */
export function exportPromelaFromFile(file: SourceFile, proposal = 'baseline', translateC?: CBodyTranslator): PromelaExport {
  const lowered = lowerModel(file, proposal, { translateC });
  if (!lowered.complete) return { diagnostics: lowered.diagnostics };
  return { text: exportPromela(lowered.system), diagnostics: lowered.diagnostics };
}
