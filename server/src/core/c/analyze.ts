// Path-sensitive analysis of one C function: explores the control-flow graph with an abstract state
// per path (what it holds, what it knows of values), merging identical states at each node, and
// reports what a feasible path still holds at a return, releases twice, or uses after release.
//
// The jobs live under analysis/: the shared context (context.ts), path exploration (paths.ts,
// conditions.ts), expressions and call effects (expressions.ts, effects.ts), the kernel's conventions
// (conventions.ts) and the findings at returns (report.ts).

import type { ApiTable } from './apiTable';
import type { CFunction } from './cir';
import { createContext, type AnalyzeLimits, type AnalyzerContext, type FunctionAnalysis } from './analysis/context';
import type { FileFacts } from './analysis/fileFacts';
import { explorePaths } from './analysis/paths';
import type { Summaries } from './analysis/summaries';

export type { AnalyzeLimits, FunctionAnalysis, RawFinding } from './analysis/context';

export class FunctionAnalyzer {
  private readonly context: AnalyzerContext;

  constructor(fn: CFunction, table: ApiTable, text: string, acquiresAnnotated: Set<string>, file?: FileFacts, summaries?: Summaries) {
    this.context = createContext(fn, table, text, acquiresAnnotated, file, summaries);
  }

  run(limits: AnalyzeLimits): FunctionAnalysis {
    return explorePaths(this.context, limits);
  }
}
