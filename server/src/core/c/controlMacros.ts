// Macros that hide control flow: Lustre's `GOTO(label, rc)` jumps, `RETURN(rc)` and `RETURN_EXIT`
// return, `LBUG()` never comes back. A single file's analysis never expands a header's macro, so it
// would take each for a call that falls through. Their definitions are read instead, from the file
// itself and from the headers of the tree being checked, and each macro whose body always jumps,
// returns or stops is remembered with what it does.

import { NO_RETURN } from './callRoles';

export type ControlMacro =
  /** `goto` the label passed as argument `label`. */
  | { kind: 'goto'; label: number }
  /** `return`, with the value of argument `value` when the macro returns one of its arguments. */
  | { kind: 'return'; value?: number }
  /** The body calls a function that does not return (`lbug_with_loc()`, `panic()`). */
  | { kind: 'noreturn' };

export type ControlMacros = ReadonlyMap<string, ControlMacro>;

/** The headers a file includes by a quoted name (`#include "include/debug.h"`), at most 32: where its project's macros are. */
export function quotedIncludes(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/^[ \t]*#[ \t]*include[ \t]+"([^"\n]+\.h)"/gm)) if (names.length < 32 && !names.includes(match[1])) names.push(match[1]);
  return names;
}

/** A definition's body longer than this is not read: control macros are short. */
const MAX_BODY = 4000;

/** `#define NAME(params) body`, the body with its continued lines (`\` at the end of a line). */
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?((?:[^\n]*\\\n)*[^\n]*)/gm;

/** `void lbug_with_loc(...) __attribute__((noreturn));`, `__noreturn void cfs_panic(...)`. */
const NORETURN_DECLARATION = /(?:__noreturn|__attribute__\s*\(\(\s*(?:__)?noreturn(?:__)?\s*\)\))[^;{()]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\(|\b([A-Za-z_][A-Za-z0-9_]*)\s*\([^;{]*\)\s*(?:__noreturn|__attribute__\s*\(\(\s*(?:__)?noreturn(?:__)?\s*\)\))\s*;/g;

/** Reads the control macros and the functions declared not to return in `texts` (headers, or a file's own text). */
export function learnControlMacros(texts: readonly string[], known: ControlMacros = new Map()): Map<string, ControlMacro> {
  const macros = new Map<string, ControlMacro>(known);
  const noReturn = new Set<string>();
  const definitions: { name: string; params: string[] | undefined; body: string }[] = [];
  for (const text of texts) {
    if (text.includes('noreturn')) for (const match of text.matchAll(NORETURN_DECLARATION)) noReturn.add(match[1] ?? match[2]);
    if (!text.includes('define')) continue;
    for (const match of text.matchAll(DEFINE)) {
      const body = match[3];
      if (body.length > MAX_BODY || !/\b(goto|return)\b|\(/.test(body)) continue;
      const params = match[2] === undefined ? undefined : match[2].slice(1, -1).split(',').map((p) => p.trim()).filter((p) => p !== '');
      definitions.push({ name: match[1], params, body: stripComments(body.replace(/\\\n/g, ' ')) });
    }
  }
  // A macro may stop by calling another macro that stops (`LBUG()` through `lbug_with_loc()`): a few rounds reach the fixed point.
  for (let round = 0; round < 3; round++) {
    let changed = false;
    for (const definition of definitions) {
      if (macros.has(definition.name)) continue;
      const macro = controlMacroOf(definition.params, definition.body, (name) => noReturn.has(name) || NO_RETURN.test(name) || macros.get(name)?.kind === 'noreturn');
      if (macro === undefined) continue;
      macros.set(definition.name, macro);
      changed = true;
    }
    if (!changed) break;
  }
  // A function declared not to return stops a path the same way when called directly.
  for (const name of noReturn) if (!macros.has(name)) macros.set(name, { kind: 'noreturn' });
  return macros;
}

/**
 * Object-like macros the file defines as one integer (`#define SENDER_COMPACTS_BVECS 0`), for
 * `#if SENDER_COMPACTS_BVECS`: a name defined twice with different values is left out.
 */
export function fileConstants(text: string): Map<string, number> {
  const values = new Map<string, number | undefined>();
  if (!text.includes('define')) return new Map();
  for (const match of text.matchAll(/^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_][A-Za-z0-9_]*)([^\n]*)/gm)) {
    const name = match[2];
    const number = match[1] === 'define' ? /^[ \t]+\(?(\d+)[uUlL]*\)?[ \t]*(?:\/\*.*\*\/[ \t]*|\/\/.*)?$/.exec(match[3]) : null;
    const value = number ? Number(number[1]) : undefined;
    values.set(name, value !== undefined && (!values.has(name) || values.get(name) === value) ? value : undefined);
  }
  const constants = new Map<string, number>();
  for (const [name, value] of values) if (value !== undefined && Number.isSafeInteger(value)) constants.set(name, value);
  return constants;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
}

/**
 * What a macro's body always does, or undefined when it may fall through: the first statement at
 * the top of the body that jumps, returns or stops decides; one inside a test or a loop
 * (`if (rc) goto out`) only sometimes runs, so it does not.
 */
function controlMacroOf(params: string[] | undefined, body: string, stops: (name: string) => boolean): ControlMacro | undefined {
  // A macro that defines a function (`static int name##_show(...) { ... return 0; }`) returns from that function, not from its user.
  if (FUNCTION_DEFINITION.test(body)) return undefined;
  const args = params ?? [];
  for (const statement of topLevelStatements(body)) {
    const jump = /^goto\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(statement);
    if (jump) {
      const label = args.indexOf(jump[1]);
      return label >= 0 ? { kind: 'goto', label } : undefined;
    }
    const returned = /^return\b\s*(.*)$/s.exec(statement);
    if (returned) return returnOf(args, returned[1].trim(), body);
    const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(statement);
    if (call && stops(call[1])) return { kind: 'noreturn' };
  }
  return undefined;
}

const FUNCTION_DEFINITION = /^\s*(?:[A-Za-z_][A-Za-z0-9_#]*\s+|\*\s*)+[A-Za-z_][A-Za-z0-9_#]*\s*\([^;{]*\)\s*\{/;

function returnOf(args: string[], returned: string, body: string): ControlMacro {
  const value = returned.replace(/^\((.*)\)$/s, '$1').trim();
  if (value === '') return { kind: 'return' };
  const direct = args.indexOf(value);
  if (direct >= 0) return { kind: 'return', value: direct };
  // `typeof(rc) RETURN__ret = (rc); ... return RETURN__ret;`: the value of a copy of an argument.
  const copy = new RegExp(`\\b${value.replace(/[^A-Za-z0-9_]/g, '')}\\s*=\\s*\\(?\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)?\\s*;`).exec(body);
  const copied = copy ? args.indexOf(copy[1]) : -1;
  return copied >= 0 ? { kind: 'return', value: copied } : { kind: 'return' };
}

/**
 * The statements at the top of a macro body, without `do { ... } while (0)` and its braces: a
 * statement ends at a `;` or at the `}` of a block it opened (`if (x) { ... }` is one statement).
 */
function topLevelStatements(rawBody: string): string[] {
  let body = rawBody.trim().replace(/\bwhile\s*\(\s*0\s*\)\s*;?\s*$/, '').replace(/^do\b/, '').trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const statements: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === '}') {
      depth--;
      if (depth === 0 && !/^\s*else\b/.test(body.slice(i + 1))) {
        statements.push(body.slice(start, i + 1).trim());
        start = i + 1;
      }
    } else if (ch === ';' && depth === 0) {
      statements.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  const rest = body.slice(start).trim();
  if (rest !== '') statements.push(rest);
  return statements.filter((statement) => statement !== '');
}
