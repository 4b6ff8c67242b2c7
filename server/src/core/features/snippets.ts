// Snippets for writing models: one row per snippet, in LSP snippet syntax (`${1:name}` tab stops,
// `${1|a,b|}` choices, `$0` the final cursor). A new construct of the language gets its snippet by
// adding a row here; `where` says where it may be typed.

import { VIOLATION_KINDS } from '../syntax/ast';

/** Where a snippet may be typed: at the top level, in a proposal's body, in a statement list, in an object body. */
export type SnippetPlace = 'item' | 'proposal-item' | 'statement' | 'member';

export interface SnippetDefinition {
  /** What the user types and sees in the list. */
  label: string;
  where: readonly SnippetPlace[];
  /** One line: what the snippet writes. */
  detail: string;
  /** The text, in LSP snippet syntax; `\t` is one level of indentation. */
  body: string;
}

const ITEM: readonly SnippetPlace[] = ['item'];
const ITEM_OR_PROPOSAL: readonly SnippetPlace[] = ['item', 'proposal-item'];
const STATEMENT: readonly SnippetPlace[] = ['statement'];
const MEMBER: readonly SnippetPlace[] = ['member'];

const OUTCOMES = ['safe', ...VIOLATION_KINDS].join(',');

export const SNIPPETS: readonly SnippetDefinition[] = [
  { label: 'model', where: ITEM, detail: 'the scenario under review, with the question it answers', body: 'model ${1:name} "${2:the question under review}"\n$0' },
  { label: 'object', where: ITEM_OR_PROPOSAL, detail: 'an object with a reference count that frees it at zero', body: 'object ${1:name} {\n\tref ${2:refs} = ${3:1} on zero free ${1:name}\n}\n$0' },
  { label: 'static', where: ITEM_OR_PROPOSAL, detail: 'an object that is never freed, with a lock', body: 'static ${1:name} { lock ${2:lock} }\n$0' },
  { label: 'fn', where: ITEM_OR_PROPOSAL, detail: 'a procedure (calls are inlined)', body: 'fn ${1:name}(${2:obj}) {\n\t$0\n}' },
  { label: 'thread', where: ITEM_OR_PROPOSAL, detail: 'a thread that runs concurrently with the others', body: 'thread ${1:name} {\n\t$0\n}' },
  { label: 'device', where: ITEM_OR_PROPOSAL, detail: 'a DMA-capable device and the object it may access', body: 'device ${1:name} { dma ${2:object} }\n$0' },
  { label: 'proposal', where: ITEM, detail: 'a competing proposal: the items it replaces or adds', body: 'proposal ${1:name} "${2:what it changes}" {\n\t$0\n}' },
  { label: 'expect', where: ITEM, detail: 'the verdict the file documents for the baseline or a proposal', body: `expect \${1:baseline}: \${2|${OUTCOMES}|}\n$0` },
  { label: 'order', where: ITEM_OR_PROPOSAL, detail: 'an ordering requirement between two events', body: 'order ${1:quiesce dev} before ${2:free obj} "${3:why}"\n$0' },
  { label: 'if', where: STATEMENT, detail: 'a branch on a condition', body: 'if ${1:condition} {\n\t$0\n}' },
  { label: 'if-else', where: STATEMENT, detail: 'a branch with an else', body: 'if ${1:condition} {\n\t$2\n} else {\n\t$0\n}' },
  { label: 'while', where: STATEMENT, detail: 'a loop', body: 'while ${1:condition} {\n\t$0\n}' },
  { label: 'choose', where: STATEMENT, detail: 'a nondeterministic choice (an error path, a kill)', body: 'choose {\n\t$1\n} or {\n\t$0\n}' },
  { label: 'maybe', where: STATEMENT, detail: 'something that may or may not happen', body: 'maybe {\n\t$0\n}' },
  { label: 'atomic', where: STATEMENT, detail: 'statements that run as one indivisible step', body: 'atomic {\n\t$0\n}' },
  { label: 'repeat', where: STATEMENT, detail: 'the body a fixed number of times', body: 'repeat ${1:2} {\n\t$0\n}' },
  { label: 'wait', where: STATEMENT, detail: 'block until a condition holds', body: 'wait until ${1:condition}' },
  { label: 'locked', where: STATEMENT, detail: 'a critical section: lock, the body, unlock', body: 'lock ${1:obj}.${2:lock}\n$0\nunlock ${1:obj}.${2:lock}' },
  { label: 'ref', where: MEMBER, detail: 'a reference count with its on-zero action', body: 'ref ${1:refs} = ${2:1} on zero ${3:free obj}' },
  { label: 'ptr', where: MEMBER, detail: 'a pointer to an object', body: 'ptr ${1:name} -> ${2:object} = ${3:null}' },
  { label: 'state', where: MEMBER, detail: 'a small enumeration', body: 'state ${1:name} { ${2:A}, ${3:B} } = ${2:A}' },
];

export function snippetsFor(place: SnippetPlace): SnippetDefinition[] {
  return SNIPPETS.filter((snippet) => snippet.where.includes(place));
}
