// The words of the `.lifetime` grammar as the parser tells constructs apart by them, the nesting
// limit, and the parser's list helper. The classes of the parser (parserCore.ts up to parser.ts)
// share them.

import { MECHANISM_OPS } from './ast';

/** How deep blocks, parentheses and `!` chains may nest before the parser stops following them. */
export const MAX_NESTING = 100;

export const ITEM_WORDS = new Set(['model', 'module', 'object', 'static', 'fn', 'thread', 'device', 'order', 'bind', 'proposal', 'expect', 'new']);
export const PROPOSAL_ITEM_WORDS = new Set(['object', 'static', 'fn', 'thread', 'device', 'order', 'new', 'remove']);
export const MEMBER_WORDS = new Set(['ref', 'lock', 'flag', 'state', 'int', 'ptr', 'work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue']);
export const MEMBER_LIST = 'ref, lock, flag, state, int, ptr, work, timer, percpu_ref, completion, srcu or workqueue';
export const EVENT_VERBS = new Set<string>(['free', 'alloc', 'stop', 'quiesce', 'start', 'set', 'clear', 'call', 'get', 'put', 'lock', 'unlock', 'use']);
/**
 * Statement keywords followed by an expression. Kernel authors write `if (x)` and `assert (x)`, so
 * for these words a following `(` opens the expression instead of making the statement a call.
 */
export const EXPRESSION_KEYWORDS = new Set(['if', 'while', 'assert']);
export const STATEMENT_WORDS = new Set([
  'get', 'put', 'use', 'free', 'alloc', 'lock', 'unlock', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec',
  'wait', 'assert', 'if', 'while', 'repeat', 'choose', 'maybe', 'atomic', 'let', 'return',
  'call_rcu', 'call_srcu', 'unload', 'rcu_assign_pointer', ...Object.keys(MECHANISM_OPS),
]);
/** What each kind of mechanism operand is called in messages. */
export const OPERAND_WORDS: Record<string, string> = {
  work: 'a work item',
  workqueue: 'a workqueue',
  timer: 'a timer',
  srcu: 'an SRCU domain',
  completion: 'a completion',
  percpu_ref: 'a percpu_ref',
  object: 'an object',
  module: 'a module',
};
/** Conditions that act on a place (see `TryExpression`). */
export const TRY_WORDS = new Set(['tryget', 'trylock', 'tryget_live', 'try_module_get', 'wait_for_completion_timeout']);
/** Read-only tests of a place (see `PredicateExpression`). */
export const PREDICATE_WORDS = new Set(['alive', 'freed', 'running', 'idle', 'held', 'percpu_ref_is_zero', 'completion_done', 'work_pending', 'timer_pending']);
export const EVENT_VERB_LIST = 'free, alloc, start, stop, quiesce, set, clear, get, put, lock, unlock, use or call';

/**
 * The list at its exact length. A list that grew by `push` keeps spare capacity for sixteen more
 * elements; a large file's tree holds tens of thousands of short lists, so the spare room would
 * cost more memory (and garbage-collector copying) than the nodes in them. The most frequent lists
 * (statements, place segments, arguments) are built on `lists` instead, which also saves the copy.
 */
export function exactSize<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}
