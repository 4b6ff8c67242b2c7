// Conditional compilation whose two arms each open a block:
//
//   #ifdef CMX_CONF_DEBUG
//           if (conf->software && members > 1) {
//   #else
//           if (conf->software && members > 2) {
//   #endif
//
// Read as one text, the function has a brace too many and the parser loses its structure. Only one
// arm is ever compiled, so when both arms leave the same number of braces open the first arm is kept
// as plain code: its directive lines and the `#else` arm are blanked (newlines kept, so offsets and
// lines stay).

interface OpenConditional {
  /** The `#if` line: its start and end. */
  ifStart: number;
  ifEnd: number;
  /** Start of the `#else` line, and of the first line of the `#else` arm (-1 before `#else`). */
  elseLine: number;
  elseStart: number;
  /** Braces opened minus closed in the first arm, and in the `#else` arm. */
  thenBalance: number;
  elseBalance: number;
  /** An `#elif` makes more than two arms: such conditionals are left alone. */
  hasElif: boolean;
}

const DIRECTIVE = /^[ \t]*#[ \t]*(ifdef|ifndef|if|elif|else|endif)\b/;

/** Calls `visit` with the start, end (before its newline) and text of each line. */
function forEachLine(text: string, visit: (start: number, end: number, line: string) => void): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    visit(start, end, text.slice(start, end));
    start = end + 1;
  }
}

/** Blanks the `#else` arm of each conditional whose two arms leave the same nonzero number of braces open. */
export function blankTwinElseArms(text: string): string {
  if (!text.includes('#else')) return text;
  const stack: OpenConditional[] = [];
  const blanks: [number, number][] = [];
  let inComment = false;
  forEachLine(text, (lineStart, lineEnd, line) => {
    const directive = inComment ? null : DIRECTIVE.exec(line);
    if (directive) {
      const word = directive[1];
      if (word === 'if' || word === 'ifdef' || word === 'ifndef') stack.push({ ifStart: lineStart, ifEnd: lineEnd, elseLine: -1, elseStart: -1, thenBalance: 0, elseBalance: 0, hasElif: false });
      else if (word === 'elif' && stack.length > 0) stack[stack.length - 1].hasElif = true;
      else if (word === 'else' && stack.length > 0) {
        stack[stack.length - 1].elseLine = lineStart;
        stack[stack.length - 1].elseStart = lineEnd + 1;
      } else if (word === 'endif') {
        const closed = stack.pop();
        if (closed && !closed.hasElif && closed.elseStart >= 0 && closed.thenBalance !== 0 && closed.thenBalance === closed.elseBalance) {
          // The directives go too: the grammar takes the arms of a conditional as whole statements.
          blanks.push([closed.ifStart, closed.ifEnd], [closed.elseLine, lineEnd]);
          // The enclosing arms saw both arms' braces; only one of them counts.
          for (const outer of stack) {
            if (outer.elseStart >= 0) outer.elseBalance -= closed.elseBalance;
            else outer.thenBalance -= closed.elseBalance;
          }
        }
      }
    } else {
      const counted = braceBalance(line, inComment);
      inComment = counted.inComment;
      if (counted.balance !== 0) {
        for (const open of stack) {
          if (open.elseStart >= 0) open.elseBalance += counted.balance;
          else open.thenBalance += counted.balance;
        }
      }
    }
  });
  return blankRanges(text, blanks);
}

/** Braces opened minus closed on one line, outside comments, strings and character constants. */
function braceBalance(line: string, startsInComment: boolean): { balance: number; inComment: boolean } {
  return bracketBalance(line, startsInComment, '{', '}');
}

/** `open` minus `close` on one line, outside comments, strings and character constants. */
function bracketBalance(line: string, startsInComment: boolean, open: string, close: string): { balance: number; inComment: boolean } {
  let balance = 0;
  let inComment = startsInComment;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inComment) {
      if (ch === '*' && line[i + 1] === '/') {
        inComment = false;
        i++;
      }
      continue;
    }
    if (ch === '/' && line[i + 1] === '*') {
      inComment = true;
      i++;
    } else if (ch === '/' && line[i + 1] === '/') break;
    else if (ch === '"' || ch === "'") {
      for (i++; i < line.length && line[i] !== ch; i++) if (line[i] === '\\') i++;
    } else if (ch === open) balance++;
    else if (ch === close) balance--;
  }
  return { balance, inComment };
}

/** Whether a conditional directive follows a line that ends in an operator, a comma or an open parenthesis: only then can one sit inside an expression. */
function hasDirectiveAfterOpenExpression(text: string): boolean {
  for (const match of text.matchAll(/^[ \t]*#[ \t]*if/gm)) {
    let i = (match.index ?? 0) - 1;
    while (i >= 0 && (text[i] === '\n' || text[i] === '\r' || text[i] === ' ' || text[i] === '\t')) i--;
    if (i >= 0 && '&|,(+*=?<>-'.includes(text[i])) return true;
  }
  return false;
}

/**
 * A conditional inside an expression, which the grammar cannot read:
 *
 *   if (phy_dev->device_bus == bus &&
 *   #ifdef CONFIG_PCI_DOMAINS_GENERIC
 *           phy_dev->device_bus_domain == domain &&
 *   #endif
 *           phy_dev->dma_device_index == index) {
 *
 * Its first arm is kept as plain code, as if configured in: the directive lines and any `#else` or
 * `#elif` arms are blanked (newlines kept).
 */
export function blankConditionalsInExpressions(text: string): string {
  if (!hasDirectiveAfterOpenExpression(text)) return text;
  const stack: { inside: boolean; elseLine: number }[] = [];
  const blanks: [number, number][] = [];
  let depth = 0;
  let inComment = false;
  let inDefinition = false;
  forEachLine(text, (lineStart, lineEnd, line) => {
    const directive = inComment ? null : DIRECTIVE.exec(line);
    const top = stack[stack.length - 1];
    // Other directives (`#define` and its continued lines) hold no code of the function; a brace at
    // the start of a line ends any expression a miscount left open.
    const otherDirective: boolean = !inComment && (inDefinition || /^[ \t]*#/.test(line));
    inDefinition = otherDirective && line.endsWith('\\');
    if (/^[{}]/.test(line)) depth = 0;
    if (otherDirective && !directive) return;
    if (directive) {
      const word = directive[1];
      if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
        stack.push({ inside: depth > 0, elseLine: -1 });
        if (depth > 0) blanks.push([lineStart, lineEnd]);
      } else if ((word === 'elif' || word === 'else') && top) {
        if (top.inside && top.elseLine < 0) top.elseLine = lineStart;
      } else if (word === 'endif' && top) {
        stack.pop();
        if (top.inside) blanks.push([top.elseLine >= 0 ? top.elseLine : lineStart, lineEnd]);
      }
    } else if (!(top && top.inside && top.elseLine >= 0)) {
      const counted = bracketBalance(line, inComment, '(', ')');
      inComment = counted.inComment;
      depth = Math.max(0, depth + counted.balance);
    }
  });
  return blankRanges(text, blanks);
}

/** `text` with each range's characters but newlines replaced by spaces. */
function blankRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let copied = 0;
  for (const [start, end] of ranges) {
    if (start < copied || start >= end) continue;
    pieces.push(text.slice(copied, start), text.slice(start, end).replace(/[^\r\n]/g, ' '));
    copied = end;
  }
  pieces.push(text.slice(copied));
  return pieces.join('');
}

/**
 * Blanks the arms no build compiles: the body of `#if 0` (or `#if NAME` for a name the file defines
 * as 0), and the `#else` or `#elif` arms of `#if 1`. Directive lines stay; newlines are kept, so
 * offsets and lines stay. Whole functions under `#if 0` vanish with them.
 */
export function blankDeadArms(text: string, constants: ReadonlyMap<string, number>): string {
  if (!text.includes('#if')) return text;
  // For each open conditional: whether its current arm is dead, and whether a later arm is.
  const stack: { deadNow: boolean; deadLater: boolean }[] = [];
  const blanks: [number, number][] = [];
  let deadFrom = -1;
  const dead = () => stack.some((c) => c.deadNow);
  forEachLine(text, (lineStart, lineEnd, line) => {
    const directive = /^[ \t]*#[ \t]*(ifdef|ifndef|if|elif|else|endif)\b(.*)$/.exec(line);
    const wasDead = dead();
    if (directive) {
      const word = directive[1];
      if (word === 'if') {
        const value = directiveConstant(directive[2].replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim(), constants);
        stack.push({ deadNow: value === 0, deadLater: value === 1 });
      } else if (word === 'ifdef' || word === 'ifndef') stack.push({ deadNow: false, deadLater: false });
      else if ((word === 'elif' || word === 'else') && stack.length > 0) {
        const top = stack[stack.length - 1];
        top.deadNow = top.deadLater;
      } else if (word === 'endif') stack.pop();
    }
    const isDead = dead();
    if (!wasDead && isDead) deadFrom = lineEnd + 1;
    if (wasDead && !isDead && deadFrom >= 0) {
      blanks.push([deadFrom, lineStart]);
      deadFrom = -1;
    }
  });
  if (deadFrom >= 0) blanks.push([deadFrom, text.length]);
  return blankRanges(text, blanks);
}

/** `0`, `1`, `NAME` or `!NAME` for a name the file defines as an integer: 0 or 1; anything else is undefined. */
export function directiveConstant(condition: string, constants: ReadonlyMap<string, number> | undefined): 0 | 1 | undefined {
  const match = /^(!?)\s*\(?\s*(\w+)\s*\)?$/.exec(condition);
  if (!match) return undefined;
  const value = /^\d+$/.test(match[2]) ? Number(match[2]) : constants?.get(match[2]);
  if (value === undefined) return undefined;
  return (value !== 0) !== (match[1] === '!') ? 1 : 0;
}
