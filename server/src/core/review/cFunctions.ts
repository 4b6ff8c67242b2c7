// Where each function of a C file is, found without a parser: one pass over the text that skips
// comments, strings, character literals and preprocessor lines, and takes every top-level brace
// block whose header has a parameter list and no initializer as a function. A patch review needs
// no more than this: which functions a hunk's lines fall in.

export interface FunctionSpan {
  name: string;
  /** Offset of the header's first character (after the previous declaration). */
  start: number;
  /** Offset just after the closing brace. */
  end: number;
}

/** Attribute-like macros that take arguments and sit in a function header around its name. */
const ATTRIBUTE = /^__(attribute__|printf|scanf|section|aligned|acquires|releases|must_hold|cond_acquires|cond_releases|no_sanitize\w*|alloc_size|malloc|diag\w*|assume_aligned|counted_by|free|cleanup)$/;

function skipLineEnd(text: string, i: number): number {
  // A preprocessor line ends at a newline not escaped by a backslash.
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n' && text[i - 1] !== '\\' && !(text[i - 1] === '\r' && text[i - 2] === '\\')) return i;
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return text.length;
      i = close + 1;
    }
  }
  return text.length;
}

/** The header without comments, or undefined when it is not a function's. */
function functionName(header: string): string | undefined {
  const code = header.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  if (!code.includes('(')) return undefined;
  let depth = 0;
  const candidates: string[] = [];
  const ident = /[A-Za-z_][A-Za-z0-9_]*/y;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === '=' || ch === ';')) return undefined;
    else if (depth === 0 && /[A-Za-z_]/.test(ch) && (i === 0 || !/[A-Za-z0-9_]/.test(code[i - 1]))) {
      ident.lastIndex = i;
      const match = ident.exec(code);
      if (!match) continue;
      const after = /^\s*\(/.exec(code.slice(i + match[0].length));
      if (after) candidates.push(match[0]);
      i += match[0].length - 1;
    }
  }
  if (!/\)\s*$/.test(code.trimEnd()) && !/\)\s*[A-Za-z_][\w\s()]*$/.test(code.trimEnd())) return undefined;
  return candidates.find((name) => !ATTRIBUTE.test(name)) ?? candidates[0];
}

/** The first offset in `[from, to)` that is neither white space nor inside a comment. */
function codeStart(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (/\s/.test(text[i])) i++;
    else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? to : close + 2;
    } else if (text.startsWith('//', i)) {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? to : newline + 1;
    } else return i;
  }
  return from;
}

/**
 * Which preprocessor branches are read: the first branch of each conditional, or the `#else` of an
 * `#if 0`. Code in the other branches is skipped, so that braces written once per branch
 * (`#ifdef X` `if (a) {` `#else` `if (b) {` `#endif`) count once.
 */
class Conditionals {
  private readonly frames: { skipping: boolean; zero: boolean; outer: boolean }[] = [];

  get skipping(): boolean {
    return this.frames.length > 0 && this.frames[this.frames.length - 1].skipping;
  }

  directive(line: string): void {
    const match = /^#\s*(\w+)\s*(.*)$/.exec(line);
    if (!match) return;
    const [, word, rest] = match;
    const outer = this.skipping;
    if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
      const zero = word === 'if' && /^0\b/.test(rest.trim());
      this.frames.push({ skipping: outer || zero, zero, outer });
    } else if ((word === 'else' || word === 'elif') && this.frames.length > 0) {
      const frame = this.frames[this.frames.length - 1];
      frame.skipping = frame.outer || !frame.zero;
      frame.zero = false;
    } else if (word === 'endif') {
      this.frames.pop();
    }
  }
}

export function cFunctionSpans(text: string): FunctionSpan[] {
  const spans: FunctionSpan[] = [];
  const conditionals = new Conditionals();
  let depth = 0;
  let segmentStart = 0;
  let open: { name: string; start: number } | undefined;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      lineStart = true;
      continue;
    }
    if (lineStart && ch === '#') {
      const end = skipLineEnd(text, i);
      conditionals.directive(text.slice(i, end));
      i = end;
      if (depth === 0) segmentStart = i + 1;
      lineStart = true;
      continue;
    }
    if (ch !== ' ' && ch !== '\t' && ch !== '\r') lineStart = false;
    if (conditionals.skipping) continue;
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 1;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      i = (newline < 0 ? text.length : newline) - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      for (i++; i < text.length && text[i] !== ch && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (ch === '{') {
      if (depth === 0) {
        const name = functionName(text.slice(segmentStart, i));
        open = name ? { name, start: codeStart(text, segmentStart, i) } : undefined;
      }
      depth++;
    } else if (ch === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) {
        if (open) spans.push({ name: open.name, start: open.start, end: i + 1 });
        open = undefined;
        segmentStart = i + 1;
      }
    } else if (ch === ';' && depth === 0) {
      segmentStart = i + 1;
    }
  }
  return spans;
}

/** The functions whose span contains an offset in any of the ranges `[start, end)`. */
export function functionsTouching(spans: readonly FunctionSpan[], ranges: readonly { start: number; end: number }[]): FunctionSpan[] {
  return spans.filter((span) => ranges.some((range) => range.start < span.end && range.end > span.start));
}
