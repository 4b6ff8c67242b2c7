// Completion: the keywords that can stand at the cursor, declared names, the members of an object
// after `x.`, proposals and outcomes in expectations.

import { VIOLATION_KINDS, type Node } from '../syntax/ast';
import { isTrivia, TokenKind, type Token } from '../syntax/tokens';
import type { Declaration } from '../semantic/model';
import type { Analysis } from './analysis';
import { describeCCall, loadApiTable } from '../c/apiTable';
import { nodePath } from './nodes';
import { CompletionKinds, type CompletionEntry } from './types';
import { KEYWORD_DOCS } from './keywordDocs';
import { snippetsFor, type SnippetPlace } from './snippets';
import { violationCode } from '../diagnostics/codes';

export const TRIGGER_CHARACTERS = ['.', ':'];

const ITEM_KEYWORDS = ['model', 'module', 'object', 'static', 'fn', 'thread', 'device', 'order', 'bind', 'proposal', 'expect'];
const PROPOSAL_ITEM_KEYWORDS = ['object', 'static', 'fn', 'thread', 'device', 'order', 'new', 'remove'];
/** The kernel mechanisms an object can hold, each with the statements and conditions that take it. */
const MECHANISM_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  work: ['queue_work', 'cancel_work', 'cancel_work_sync', 'flush_work', 'disable_work_sync', 'enable_work', 'work_pending'],
  workqueue: ['flush_workqueue', 'destroy_workqueue'],
  timer: ['mod_timer', 'add_timer', 'del_timer', 'del_timer_sync', 'timer_delete_sync', 'timer_shutdown_sync', 'timer_pending'],
  completion: ['complete', 'complete_all', 'wait_for_completion', 'reinit_completion', 'init_completion', 'wait_for_completion_timeout', 'completion_done'],
  percpu_ref: ['percpu_ref_kill', 'percpu_ref_init', 'percpu_ref_exit', 'percpu_ref_switch_to_atomic_sync', 'tryget_live', 'percpu_ref_is_zero'],
  srcu: ['srcu_read_lock', 'srcu_read_unlock', 'synchronize_srcu', 'srcu_barrier', 'call_srcu'],
  ptr: ['rcu_dereference', 'rcu_assign_pointer'],
};
const MEMBER_KEYWORDS = ['ref', 'lock', 'flag', 'state', 'int', 'ptr', 'work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue'];
const MECHANISM_STATEMENTS = [
  'queue_work', 'cancel_work', 'cancel_work_sync', 'flush_work', 'disable_work_sync', 'enable_work', 'flush_workqueue', 'destroy_workqueue',
  'mod_timer', 'add_timer', 'del_timer', 'del_timer_sync', 'timer_delete_sync', 'timer_shutdown_sync',
  'rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'call_rcu', 'kfree_rcu', 'rcu_barrier', 'rcu_assign_pointer',
  'srcu_read_lock', 'srcu_read_unlock', 'synchronize_srcu', 'call_srcu', 'srcu_barrier',
  'complete', 'complete_all', 'wait_for_completion', 'reinit_completion', 'init_completion',
  'percpu_ref_kill', 'percpu_ref_init', 'percpu_ref_exit', 'percpu_ref_switch_to_atomic_sync', 'module_put', 'unload',
];
const STATEMENT_KEYWORDS = [
  'get', 'put', 'use', 'free', 'alloc', 'lock', 'unlock', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec',
  'wait', 'assert', 'if', 'while', 'repeat', 'choose', 'maybe', 'atomic', 'let', 'return', ...MECHANISM_STATEMENTS,
];
const EXPRESSION_KEYWORDS = [
  'tryget', 'trylock', 'alive', 'freed', 'running', 'idle', 'held', 'true', 'false', 'null', 'tryget_live', 'try_module_get',
  'wait_for_completion_timeout', 'completion_done', 'work_pending', 'timer_pending', 'percpu_ref_is_zero', 'rcu_dereference',
];
/** Words followed by a place (a module for the module verbs, an object or a member otherwise). */
const PLACE_VERBS = new Set([
  'get', 'put', 'use', 'free', 'alloc', 'lock', 'unlock', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec', 'tryget', 'trylock', 'alive', 'freed',
  'running', 'idle', 'held', 'dma', 'locking', 'kfree_rcu', 'try_module_get', 'module_put', 'unload',
  ...Object.values(MECHANISM_MEMBERS).flat(),
]);
const MODULE_VERBS = new Set(['try_module_get', 'module_put', 'unload']);
/** The member kinds a verb takes: `queue_work dev.` offers the work items of dev. */
const VERB_MEMBER_KINDS = new Map<string, readonly string[]>([
  ...Object.entries(MECHANISM_MEMBERS).flatMap(([kind, verbs]) => verbs.map((verb) => [verb, [kind]] as const)),
  ...['lock', 'unlock', 'trylock', 'held', 'locking'].map((verb) => [verb, ['lock']] as const),
  ...['get', 'put', 'tryget'].map((verb) => [verb, ['ref', 'percpu_ref']] as const),
  ...['set', 'clear'].map((verb) => [verb, ['flag']] as const),
  ...['inc', 'dec'].map((verb) => [verb, ['int']] as const),
]);

/** Kernel API names, for C bodies. */
function kernelApiEntries(): CompletionEntry[] {
  const entries: CompletionEntry[] = [];
  for (const entry of loadApiTable().table.byName.values()) {
    entries.push({ label: entry.name, kind: CompletionKinds.Function, detail: `${entry.effect} ${entry.families.join('/')}`, documentation: describeCCall(entry.name) });
  }
  return entries;
}

/** A keyword with its form as the detail (`object NAME [recyclable] [unborn] { members }`) and its meaning as the doc. */
function keywordEntries(words: string[]): CompletionEntry[] {
  return words.map((word) => {
    const doc = KEYWORD_DOCS[word];
    const form = doc ? /^`([^`]+)`/.exec(doc)?.[1] : undefined;
    const meaning = doc?.replace(/^`[^`]+`:?\s*/, '').replace(/`/g, '');
    const documentation = meaning ? meaning.charAt(0).toUpperCase() + meaning.slice(1) : undefined;
    return { label: word, kind: CompletionKinds.Keyword, detail: form ?? word, ...(documentation ? { documentation } : {}), sortText: `2${word}` };
  });
}

function snippetEntries(place: SnippetPlace): CompletionEntry[] {
  return snippetsFor(place).map((snippet) => ({
    label: snippet.label,
    kind: CompletionKinds.Snippet,
    detail: snippet.detail,
    documentation: snippet.body.replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d/g, '').replace(/\t/g, '  '),
    insertText: snippet.body,
    insertTextFormat: 2,
    sortText: `3${snippet.label}`,
  }));
}

/** The word before the place whose segments end at `dotStart`: `queue_work dev.|` → queue_work. */
function verbBefore(tokens: Token[], text: string, dotStart: number, segments: string[]): string | undefined {
  const placeLength = segments.join('.').length;
  const before = tokenBefore(tokens, dotStart - placeLength);
  return before ? text.slice(before.start, before.end) : undefined;
}

/** The last token that ends at or before the offset, skipping trivia. */
function tokenBefore(tokens: Token[], offset: number): Token | undefined {
  let low = 0;
  let high = tokens.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (tokens[mid].end <= offset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  for (let i = found; i >= 0; i--) if (!isTrivia(tokens[i].kind)) return tokens[i];
  return undefined;
}

const DECLARATION_WORDS: Record<string, string> = {
  object: 'An object that can be freed',
  static: 'An object that lives for ever',
  module: 'A kernel module: its code and data die at unload',
  member: 'A member of an object',
  fn: 'A procedure; calls are inlined',
  param: 'A parameter: the place passed at each call',
  local: 'A handle from `let`: remembers an object and its generation',
  thread: 'A thread',
  device: 'A DMA-capable device',
  proposal: 'A proposal',
  model: 'The model',
  'state-value': 'A value of a state member',
};

function declarationEntry(declaration: Declaration): CompletionEntry {
  const kinds: Record<string, number> = {
    object: CompletionKinds.Class,
    static: CompletionKinds.Struct,
    module: CompletionKinds.Module,
    member: CompletionKinds.Field,
    fn: CompletionKinds.Function,
    param: CompletionKinds.Variable,
    local: CompletionKinds.Variable,
    thread: CompletionKinds.Module,
    device: CompletionKinds.Event,
    proposal: CompletionKinds.Module,
    model: CompletionKinds.Module,
    'state-value': CompletionKinds.EnumMember,
  };
  const detail = declaration.kind === 'member' ? `${declaration.memberKind ?? 'member'}` : declaration.kind;
  const where = declaration.proposal ? ` in proposal ${declaration.proposal}` : '';
  const documentation = `${DECLARATION_WORDS[declaration.kind] ?? declaration.kind}${where}.`;
  return { label: declaration.name, kind: kinds[declaration.kind] ?? CompletionKinds.Value, detail, documentation, sortText: `1${declaration.name}` };
}

function unique(entries: CompletionEntry[]): CompletionEntry[] {
  const seen = new Map<string, CompletionEntry>();
  for (const entry of entries) if (!seen.has(entry.label)) seen.set(entry.label, entry);
  return [...seen.values()];
}

/** The declarations a place's segments lead to, e.g. `bond.mm.` → the members of `mm`. */
function membersAfter(analysis: Analysis, segments: string[], proposal: string | undefined, scopeIds: Set<number>): Declaration[] {
  const model = analysis.semantic.model;
  const declarations = model.declarations;
  const first = segments[0];
  let objects: string[];
  const local = declarations.find((d) => (d.kind === 'param' || d.kind === 'local') && d.name === first && d.container !== undefined && scopeIds.has(d.container));
  if (local) objects = [...new Set(declarations.filter((d) => d.kind === 'object' || d.kind === 'static').map((d) => d.name))];
  else objects = [first];
  for (const segment of segments.slice(1)) {
    const next = new Set<string>();
    for (const object of objects) {
      const member = model.membersOf(object, proposal).find((m) => m.name === segment);
      if (member?.ptrTarget) next.add(member.ptrTarget);
    }
    objects = [...next];
  }
  const members = objects.flatMap((object) => model.membersOf(object, proposal));
  return members;
}

/** The place segments written just before a `.` at `dotStart`: `bond.mm.` → [bond, mm]. */
function segmentsBefore(text: string, dotStart: number): string[] {
  const segments: string[] = [];
  let end = dotStart;
  for (;;) {
    let start = end;
    while (start > 0 && /[A-Za-z0-9_-]/.test(text[start - 1])) start--;
    if (start === end) break;
    segments.unshift(text.slice(start, end));
    if (start > 0 && text[start - 1] === '.') end = start - 1;
    else break;
  }
  return segments;
}

function enclosing(path: Node[], kinds: string[]): Node | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (kinds.includes(path[i].kind)) return path[i];
  return undefined;
}

export function completionsAt(analysis: Analysis, offset: number): CompletionEntry[] {
  const { file, text } = analysis;
  const model = analysis.semantic.model;
  const path = nodePath(file, offset);
  if (path.some((node) => node.kind === 'CBody')) return kernelApiEntries();
  // The word being typed is replaced by the completion; context comes from what precedes it.
  let wordStart = offset;
  while (wordStart > 0 && /[A-Za-z0-9_-]/.test(text[wordStart - 1])) wordStart--;
  const previous = tokenBefore(file.tokens, wordStart);
  const previousText = previous ? text.slice(previous.start, previous.end) : '';
  const proposalNode = enclosing(path, ['ProposalDecl']);
  const proposal = proposalNode && proposalNode.kind === 'ProposalDecl' ? proposalNode.name.text : undefined;
  const scopeNode = enclosing(path, ['FnDecl', 'ThreadDecl']);
  const scopeIds = new Set<number>();
  if (scopeNode) for (const d of model.declarations) if ((d.kind === 'fn' || d.kind === 'thread') && d.start === scopeNode.start) scopeIds.add(d.id);

  if (previous && previous.kind === TokenKind.Dot) {
    const segments = segmentsBefore(text, previous.start);
    if (segments.length === 0) return [];
    const members = membersAfter(analysis, segments, proposal, scopeIds);
    // After a mechanism's verb, its own kind of member (and pointers, to reach one) comes first.
    const verb = verbBefore(file.tokens, text, previous.start, segments);
    const kinds = verb ? VERB_MEMBER_KINDS.get(verb) : undefined;
    const fitting = kinds ? members.filter((m) => m.memberKind !== undefined && (kinds.includes(m.memberKind) || m.memberKind === 'ptr')) : [];
    return unique((fitting.length > 0 ? fitting : members).map(declarationEntry));
  }
  const expect = enclosing(path, ['ExpectDecl']);
  if (previousText === 'expect' || (expect && previous && previous.kind !== TokenKind.Colon && offset <= (expect.kind === 'ExpectDecl' ? expect.proposal.end : 0))) {
    return [
      { label: 'baseline', kind: CompletionKinds.Module, detail: 'baseline', documentation: 'The model as written, without any proposal.' },
      ...model.declarations.filter((d) => d.kind === 'proposal').map(declarationEntry),
    ];
  }
  // After a comma in an expectation, another violation kind of the list (`safe` stands alone).
  if (previous && previous.kind === TokenKind.Comma && file.items.some((item) => item.kind === 'ExpectDecl' && previous.start >= item.start && previous.end <= item.end)) {
    return VIOLATION_KINDS.map((kind) => ({ label: kind, kind: CompletionKinds.EnumMember, detail: 'violation', documentation: violationCode(kind)?.summary ?? kind }));
  }
  const beforeColon = previous && previous.kind === TokenKind.Colon ? tokenBefore(file.tokens, previous.start) : undefined;
  const beforeName = beforeColon ? tokenBefore(file.tokens, beforeColon.start) : undefined;
  if (beforeName && text.slice(beforeName.start, beforeName.end) === 'expect') {
    return [
      { label: 'safe', kind: CompletionKinds.EnumMember, detail: 'outcome', documentation: 'No violation in any interleaving.' },
      ...VIOLATION_KINDS.map((kind) => ({ label: kind, kind: CompletionKinds.EnumMember, detail: 'violation', documentation: violationCode(kind)?.summary ?? kind })),
    ];
  }
  const visible = model.declarations.filter((d) => {
    if (d.kind === 'param' || d.kind === 'local') return d.container !== undefined && scopeIds.has(d.container);
    if (d.kind === 'member' || d.kind === 'model' || d.kind === 'state-value') return false;
    return d.proposal === undefined || d.proposal === proposal;
  });
  const places = visible.filter((d) => d.kind === 'object' || d.kind === 'static' || d.kind === 'param' || d.kind === 'local' || d.kind === 'device');
  const inBlock = path.some((node) => node.kind === 'Block');
  if (MODULE_VERBS.has(previousText) && inBlock) return unique(visible.filter((d) => d.kind === 'module').map(declarationEntry));
  if (PLACE_VERBS.has(previousText) && (inBlock || previousText === 'dma')) return unique(places.map(declarationEntry));

  if (inBlock) {
    const fns = visible.filter((d) => d.kind === 'fn');
    return [...unique([...keywordEntries(STATEMENT_KEYWORDS), ...keywordEntries(EXPRESSION_KEYWORDS), ...fns.map(declarationEntry), ...places.map(declarationEntry)]), ...snippetEntries('statement')];
  }
  const object = enclosing(path, ['ObjectDecl']);
  if (object && object.kind === 'ObjectDecl' && object.body && offset > object.body.start && offset < object.body.end) return [...keywordEntries(MEMBER_KEYWORDS), ...snippetEntries('member')];
  if (proposalNode && proposalNode.kind === 'ProposalDecl' && proposalNode.body && offset > proposalNode.body.start && offset < proposalNode.body.end) {
    return [...keywordEntries(PROPOSAL_ITEM_KEYWORDS), ...snippetEntries('proposal-item')];
  }
  if (path.length <= 2) return [...keywordEntries(ITEM_KEYWORDS), ...snippetEntries('item')];
  return [];
}
