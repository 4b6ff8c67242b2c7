// The traces of one proposal as text, each titled with its kind, place and length: what the CLI
// prints after its verdict table, and what the language server shows a client that has no trace
// view (Neovim, Helix) when it runs `lifetime.showTrace`.

import type { ProposalResult } from '../engine/types';
import type { LineIndex } from '../util/lineIndex';
import { renderTraceDiagram } from './traceDiagram';
import { validCycleStart, violationsOf } from './violations';

/** Every non-empty line of `text` prefixed with `by`. */
export function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? by + line : line))
    .join('\n');
}

/**
 * One block per violation: `baseline: deadlock at f.lifetime:47:5, 8 steps` (a lasso adds `, a cycle
 * of 3 after 6`), its message, its diagram.
 */
export function violationTraceBlocks(result: ProposalResult, sourceText: string, lines: LineIndex, path: string): string[] {
  const violations = violationsOf(result).filter((violation) => violation.trace.length > 0);
  return violations.map((violation, index) => {
    const where = lines.positionAt(violation.violationStart);
    const count = violations.length > 1 ? ` (violation ${index + 1} of ${violations.length})` : '';
    const seed = result.seed !== undefined ? ` (simulation seed ${result.seed})` : '';
    const steps = violation.trace.length;
    const cycle = validCycleStart(violation.trace, violation.cycleStart);
    const shape = cycle !== undefined ? `, a cycle of ${steps - cycle} after ${cycle}` : '';
    const title = `${result.name}: ${violation.kind}${count} at ${path}:${where.line + 1}:${where.character + 1}, ${steps} step${steps === 1 ? '' : 's'}${shape}${seed}`;
    const message = violation.message ? `\n  ${violation.message}` : '';
    const diagram = renderTraceDiagram(violation.trace, sourceText, violation.cycleStart).trimEnd();
    return `${title}${message}\n${indent(diagram, '    ')}`;
  });
}
