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
  // The kernel's mechanisms (docs/language.md, "The kernel's mechanisms"): the members that hold
  // them, and the calls a patch makes, written the way the kernel pairs them.
  { label: 'module', where: ITEM, detail: 'a kernel module: its code and data die at unload', body: 'module ${1:name}\n$0' },
  { label: 'object-long-lived', where: ITEM_OR_PROPOSAL, detail: 'an object that outlives the scenario (no leak if never freed)', body: 'object ${1:name} long-lived {\n\tref ${2:refs} = ${3:1} on zero free ${1:name}\n}\n$0' },
  { label: 'rcu-read', where: STATEMENT, detail: 'an RCU read-side section that dereferences a published pointer', body: 'rcu_read_lock\nlet ${1:p} = rcu_dereference ${2:obj}.${3:ptr}\nif ${1:p} != null {\n\tuse ${1:p}$0\n}\nrcu_read_unlock' },
  { label: 'rcu-unpublish', where: STATEMENT, detail: 'unpublish a pointer, wait for the readers, then free', body: 'rcu_assign_pointer ${1:obj}.${2:ptr} = null\nsynchronize_rcu\nfree ${3:target}\n$0' },
  { label: 'call_rcu', where: STATEMENT, detail: 'run a procedure after a grace period (an RCU callback)', body: 'call_rcu ${1:release}(${2:obj})\n$0' },
  { label: 'srcu-read', where: STATEMENT, detail: 'an SRCU read-side section of a domain', body: 'srcu_read_lock ${1:obj}.${2:srcu}\n$0\nsrcu_read_unlock ${1:obj}.${2:srcu}' },
  { label: 'queue_work', where: STATEMENT, detail: 'queue a work item (nothing happens if it is already pending)', body: 'queue_work ${1:obj}.${2:work}\n$0' },
  { label: 'cancel-work-then-free', where: STATEMENT, detail: 'stop a work item for good before freeing its object', body: 'disable_work_sync ${1:obj}.${2:work}\nfree ${1:obj}\n$0' },
  { label: 'mod_timer', where: STATEMENT, detail: 'arm or re-arm a timer', body: 'mod_timer ${1:obj}.${2:timer}\n$0' },
  { label: 'shutdown-timer-then-free', where: STATEMENT, detail: 'shut a timer down (no re-arming) before freeing its object', body: 'timer_shutdown_sync ${1:obj}.${2:timer}\nfree ${1:obj}\n$0' },
  { label: 'wait-completion-timeout', where: STATEMENT, detail: 'wait for a completion that may time out first', body: 'if wait_for_completion_timeout ${1:obj}.${2:done} {\n\t$0\n}' },
  { label: 'tryget_live', where: STATEMENT, detail: 'use an object while its percpu_ref is live', body: 'if tryget_live ${1:obj}.${2:users} {\n\tuse ${1:obj}$0\n\tput ${1:obj}.${2:users}\n}' },
  { label: 'put-locking', where: STATEMENT, detail: 'drop a reference, taking the lock only for the last one (kref_put_mutex)', body: 'put ${1:obj}.${2:refs} locking ${3:obj}.${4:lock}\n$0' },
  { label: 'if-put-locking', where: STATEMENT, detail: 'the last put holds the lock: the release is the branch (refcount_dec_and_lock)', body: 'if put ${1:obj}.${2:refs} locking ${3:obj}.${4:lock} {\n\t$0\n\tunlock ${3:obj}.${4:lock}\n\tfree ${1:obj}\n}' },
  { label: 'try_module_get', where: STATEMENT, detail: 'run with a module reference, unless the module is going', body: 'if try_module_get ${1:module} {\n\t$0\n\tmodule_put ${1:module}\n}' },
  { label: 'unload', where: STATEMENT, detail: 'unload a module (refused while it is in use): its exit code, then its code and data are freed', body: 'unload ${1:module} {\n\t$0\n}' },
  { label: 'let-value', where: STATEMENT, detail: 'a local boolean or small int (a return code, a retry count)', body: 'let ${1:ret} = ${2:0} in ${3:-1}..${4:0}\n$0' },
  { label: 'ref', where: MEMBER, detail: 'a reference count with its on-zero action', body: 'ref ${1:refs} = ${2:1} on zero ${3:free obj}' },
  { label: 'ptr', where: MEMBER, detail: 'a pointer to an object', body: 'ptr ${1:name} -> ${2:object} = ${3:null}' },
  { label: 'state', where: MEMBER, detail: 'a small enumeration', body: 'state ${1:name} { ${2:A}, ${3:B} } = ${2:A}' },
  { label: 'work', where: MEMBER, detail: 'a work item and its handler (INIT_WORK)', body: 'work ${1:name} {\n\t$0\n}' },
  { label: 'timer', where: MEMBER, detail: 'a timer and its handler (timer_setup)', body: 'timer ${1:name} {\n\t$0\n}' },
  { label: 'percpu_ref', where: MEMBER, detail: 'a percpu reference count with its release and kill confirmation', body: 'percpu_ref ${1:users} on zero ${2:free obj}' },
  { label: 'completion', where: MEMBER, detail: 'a completion (complete, wait_for_completion)', body: 'completion ${1:done}' },
  { label: 'srcu', where: MEMBER, detail: 'an SRCU domain', body: 'srcu ${1:srcu}' },
  { label: 'workqueue', where: MEMBER, detail: 'a workqueue for work items declared on it', body: 'workqueue ${1:wq}' },
];

export function snippetsFor(place: SnippetPlace): SnippetDefinition[] {
  return SNIPPETS.filter((snippet) => snippet.where.includes(place));
}
