// The words a trace shows for steps whose source text is too long to print as it is.

/** A summary fits in this many characters; a step's effects follow it in parentheses. */
const ATOMIC_SUMMARY_WIDTH = 56;
/** One statement inside a summary is cut after this many characters. */
const STATEMENT_WIDTH = 28;

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1).trimEnd()}…`;
}

/**
 * An `atomic { ... }` block as one step's event: its statements in order while they fit, then how
 * many more there are, e.g. `atomic { free page; alloc page; set dax.returned }` or
 * `atomic { lock a.m; if a.n == 0 { free a }…; … 2 more }`.
 */
export function atomicEvent(statements: readonly string[]): string {
  if (statements.length === 0) return 'atomic { }';
  const shown: string[] = [];
  let width = 'atomic {  }'.length;
  for (let i = 0; i < statements.length; i++) {
    const text = shorten(statements[i], STATEMENT_WIDTH);
    const rest = statements.length - i - 1;
    const tail = rest > 0 ? `; … ${rest} more`.length : 0;
    if (shown.length > 0 && width + 2 + text.length + tail > ATOMIC_SUMMARY_WIDTH) {
      shown.push(`… ${statements.length - i} more`);
      break;
    }
    shown.push(text);
    width += (shown.length > 1 ? 2 : 0) + text.length;
  }
  return `atomic { ${shown.join('; ')} }`;
}
