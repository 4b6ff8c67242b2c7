// Offset-preserving clean-up of kernel annotations that confuse the C grammar.
//
// Annotations such as `__must_hold(&x->lock)`, `__rcu` or `__free(kfree)` are replaced by spaces (line
// breaks are kept), so every offset in the cleaned text is the offset in the original. The positions
// of `__free(...)` and of the lock annotations are recorded for the analysis. The arms no build
// compiles (`#if 0`), and the `#else` arm of a conditional whose arms each open a block, are blanked
// the same way (conditionalArms.ts).

import { blankConditionalsInExpressions, blankDeadArms, blankTwinElseArms } from './conditionalArms';
import { fileConstants } from './controlMacros';

export interface Annotation {
  /** `__free`, `__acquires`, `__releases`, `__must_hold` or `__cond_acquires`. */
  name: string;
  /** The text between the parentheses. */
  argument: string;
  start: number;
  end: number;
}

export interface Preprocessed {
  text: string;
  annotations: Annotation[];
  /** The file's integer macros (`fileConstants()`), which decided its dead arms. */
  constants: Map<string, number>;
}

const WITH_ARGUMENT = new Set([
  '__acquires', '__releases', '__must_hold', '__free', '__cond_acquires', '__aligned', '__printf', '__cond_lock',
  '__section', '__diag_ignore', '__counted_by', '__malloc', '__alloc_size', '__nocfi',
]);
const RECORDED = new Set(['__acquires', '__releases', '__must_hold', '__free', '__cond_acquires']);
const BARE = new Set([
  '__rcu', '__iomem', '__user', '__percpu', '__init', '__exit', '__initdata', '__initconst', '__exitdata', '__maybe_unused',
  '__always_inline', 'noinline', '__cold', '__must_check', '__ref', '__read_mostly', '__ro_after_init', '__packed',
  '__force', '__bitwise', '__always_unused', '__weak', 'notrace', '__sched', 'asmlinkage', '__visible', '__noreturn',
  '__init_or_module', '__devinit', '__devexit', '__meminit', '__cpuinit', '__kprobes', '__latent_entropy', '__randomize_layout',
  '__private', '__safe', '__nocast', '__iomem__', 'noinstr', '__noclone', '__used', 'inline_for_performance',
]);

/** Finds the index after the parenthesis that closes the one at `open`, or -1. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 2000; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40) depth++;
    else if (ch === 41) {
      depth--;
      if (depth === 0) return i + 1;
    } else if (ch === 10 && depth === 0) return -1;
  }
  return -1;
}

const WORD = /\b(__[A-Za-z_]+|noinline|notrace|asmlinkage|noinstr|inline_for_performance)\b/g;

export function preprocessC(source: string): Preprocessed {
  // Arms no build compiles go first: a twin `#if 0`/`#else` pair then keeps its live arm.
  const constants = fileConstants(source);
  const text = blankConditionalsInExpressions(blankTwinElseArms(blankDeadArms(source, constants)));
  const annotations: Annotation[] = [];
  const pieces: string[] = [];
  let copied = 0;
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match; match = WORD.exec(text)) {
    const word = match[1];
    const start = match.index;
    let end = start + word.length;
    if (WITH_ARGUMENT.has(word)) {
      let open = end;
      while (text[open] === ' ' || text[open] === '\t') open++;
      if (text[open] !== '(') continue;
      const close = closeParen(text, open);
      if (close < 0) continue;
      if (RECORDED.has(word)) annotations.push({ name: word, argument: text.slice(open + 1, close - 1).trim(), start, end: close });
      end = close;
    } else if (!BARE.has(word)) {
      continue;
    }
    pieces.push(text.slice(copied, start), text.slice(start, end).replace(/[^\r\n]/g, ' '));
    copied = end;
    WORD.lastIndex = end;
  }
  if (copied === 0) return { text, annotations, constants };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), annotations, constants };
}

export interface FunctionChunk {
  /** Start of the function's header (after the previous top-level construct). */
  start: number;
  /** Offset of the body's opening brace. */
  bodyStart: number;
  /** Offset just after the body's closing brace. */
  end: number;
}

/**
 * Finds function bodies written in kernel style: a `{` alone at column 0 and the next `}` at column 0.
 * The header runs back to the previous blank line or top-level terminator. Used only to skip parsing
 * functions that call nothing the API table knows; the parse itself decides what is a function.
 */
export function findFunctionChunks(text: string): FunctionChunk[] {
  const chunks: FunctionChunk[] = [];
  let searchFrom = 0;
  let previousEnd = 0;
  for (;;) {
    const open = text.indexOf('\n{', searchFrom);
    if (open < 0) break;
    const bodyStart = open + 1;
    const afterBrace = text.charCodeAt(bodyStart + 1);
    if (afterBrace !== 10 && afterBrace !== 13) {
      searchFrom = bodyStart + 1;
      continue;
    }
    const close = text.indexOf('\n}', bodyStart);
    if (close < 0) break;
    const end = close + 2;
    let start = bodyStart;
    for (;;) {
      if (start <= previousEnd) {
        start = previousEnd;
        break;
      }
      const lineEnd = start - 1;
      const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
      if (lineStart < previousEnd) {
        start = previousEnd;
        break;
      }
      const line = text.slice(lineStart, lineEnd).trimEnd();
      // A lock annotation on its own line between the declarator and the brace (`__releases(x)`) is blanked above.
      if (line === '' && start === bodyStart && lineStart > 0) {
        start = lineStart;
        continue;
      }
      if (line === '' || line.endsWith(';') || line.endsWith('}') || line.endsWith('*/') || line.startsWith('#') || line.endsWith('\\')) break;
      start = lineStart;
      if (start === 0) break;
    }
    chunks.push({ start, bodyStart, end });
    previousEnd = end;
    searchFrom = end;
  }
  return chunks;
}
