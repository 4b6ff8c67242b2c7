// The syntax tree of a `.lifetime` file.
//
// Every node carries the half-open source range [start, end) in UTF-16 offsets. The parser never
// throws: a construct it cannot complete still yields a node, with zero-width `missing` names where a
// name was required, and runs of tokens it could not place are kept in `ErrorNode`s, so that the
// nodes and the token stream together cover every character of the input.

import type { Token } from './tokens';

export interface Range {
  start: number;
  end: number;
}

export interface NodeBase extends Range {
  kind: string;
}

/** A name as written. `missing` names are zero-width and stand where the parser expected a name. */
export interface Identifier extends NodeBase {
  kind: 'Identifier';
  text: string;
  missing?: boolean;
}

/** Tokens the parser skipped while recovering; always accompanied by one syntax diagnostic. */
export interface ErrorNode extends NodeBase {
  kind: 'Error';
  tokens: Token[];
}

// ---------------------------------------------------------------------------------------------
// Files and items

export interface SourceFile extends NodeBase {
  kind: 'SourceFile';
  text: string;
  items: Item[];
  /** Every token, trivia included (comments and white space), in source order, ending with EOF. */
  tokens: Token[];
  /** How many tokens `tokens` holds, known without making the token objects. */
  readonly tokenCount: number;
}

export type Item =
  | ModelDecl
  | ModuleDecl
  | ObjectDecl
  | FnDecl
  | ThreadDecl
  | DeviceDecl
  | ProposalDecl
  | ExpectDecl
  | OrderDecl
  | BindDecl
  | ErrorNode;

/** `model name "title"`: names the scenario. At most one per file. */
export interface ModelDecl extends NodeBase {
  kind: 'ModelDecl';
  name: Identifier;
  title?: StringLiteral;
}

/**
 * `module NAME`: a kernel module, whose code and static data die at unload. Procedures and handlers
 * declared `in NAME` are its code; statics declared `in NAME` its data.
 */
export interface ModuleDecl extends NodeBase {
  kind: 'ModuleDecl';
  name: Identifier;
}

export interface StringLiteral extends NodeBase {
  kind: 'StringLiteral';
  /** The value without quotes, escapes resolved. */
  value: string;
}

export interface NumberLiteral extends NodeBase {
  kind: 'NumberLiteral';
  value: number;
}

export type ObjectModifier = 'recyclable' | 'unborn' | 'long-lived';

/**
 * `object name [recyclable] [unborn] [long-lived] { members }` or `static name [in MODULE] { members }`.
 * An object is one instance. `unborn` objects start unallocated and need `alloc`; `recyclable`
 * objects may be allocated again after a free, which bumps their generation so that handles
 * taken before the free are detected as stale; `long-lived` objects outlive the scenario, so one
 * still allocated at the end is not a leak. Static objects are never freed, except that the data of
 * a module dies when the module is unloaded.
 */
export interface ObjectDecl extends NodeBase {
  kind: 'ObjectDecl';
  isStatic: boolean;
  /** In a proposal: `new object x` adds an object instead of replacing one. */
  isNew: boolean;
  name: Identifier;
  modifiers: { name: ObjectModifier; range: Range }[];
  /** `static NAME in MODULE`: the module whose data the static is. */
  module?: Identifier;
  members: Member[];
  /** Range of the `{ ... }` block, when present (for folding). */
  body?: Range;
}

export type Member =
  | RefMember
  | LockMember
  | FlagMember
  | StateMember
  | IntMember
  | PtrMember
  | HandlerMember
  | PercpuRefMember
  | SyncMember
  | ErrorNode;

/** `ref users = 1 [on zero { ... }]` or `ref count = 1 on zero free mm`. */
export interface RefMember extends NodeBase {
  kind: 'RefMember';
  name: Identifier;
  initial?: NumberLiteral;
  onZero?: Block;
}

export type LockKind = 'mutex' | 'spinlock' | 'rwsem';

/** `lock name [mutex|spinlock|rwsem]`. */
export interface LockMember extends NodeBase {
  kind: 'LockMember';
  name: Identifier;
  lockKind: LockKind;
}

/** `flag name [= true|false]`; false by default. */
export interface FlagMember extends NodeBase {
  kind: 'FlagMember';
  name: Identifier;
  initial?: BoolLiteral;
}

export interface BoolLiteral extends NodeBase {
  kind: 'BoolLiteral';
  value: boolean;
}

/** `state name { a, b, c } [= a]`; the first value by default. */
export interface StateMember extends NodeBase {
  kind: 'StateMember';
  name: Identifier;
  values: Identifier[];
  initial?: Identifier;
}

/** `int name [= n] [in lo..hi]`; the range defaults to 0..7. */
export interface IntMember extends NodeBase {
  kind: 'IntMember';
  name: Identifier;
  initial?: NumberLiteral;
  rangeLow?: NumberLiteral;
  rangeHigh?: NumberLiteral;
}

/** `ptr name -> target [= target|null]`; null by default. `target` names an object. */
export interface PtrMember extends NodeBase {
  kind: 'PtrMember';
  name: Identifier;
  target: Identifier;
  initial?: Identifier | NullLiteral;
}

export interface NullLiteral extends NodeBase {
  kind: 'NullLiteral';
}

/**
 * `work NAME [on WQ] [in MODULE] { handler }` or `timer NAME [in MODULE] { handler }`: deferred
 * work of the object. A worker (or the timer's own context) runs the handler later, once per
 * queueing (or arming).
 */
export interface HandlerMember extends NodeBase {
  kind: 'HandlerMember';
  mechanism: 'work' | 'timer';
  name: Identifier;
  /** `on s.wq`: the workqueue the work is queued on; the system workqueue when absent. */
  workqueue?: Place;
  /** `in MODULE`: the handler is code of that module. */
  module?: Identifier;
  body: Block;
}

/** `percpu_ref NAME [on zero ...] [on confirm ...]`: a percpu reference count with its release and confirm callbacks. */
export interface PercpuRefMember extends NodeBase {
  kind: 'PercpuRefMember';
  name: Identifier;
  onZero?: Block;
  onConfirm?: Block;
}

/** `completion NAME`, `srcu NAME` (an SRCU domain), `workqueue NAME`. */
export interface SyncMember extends NodeBase {
  kind: 'SyncMember';
  mechanism: 'completion' | 'srcu' | 'workqueue';
  name: Identifier;
}

/** `fn name(p, q) [in MODULE] { ... }` or `fn name(p) c { C statements }`. */
export interface FnDecl extends NodeBase {
  kind: 'FnDecl';
  isNew: boolean;
  name: Identifier;
  params: Identifier[];
  /** `in MODULE`: the procedure is code of that module. */
  module?: Identifier;
  body: Body;
}

/** `thread name { ... }`, or `thread name[N] { ... }` for N identical instances. */
export interface ThreadDecl extends NodeBase {
  kind: 'ThreadDecl';
  isNew: boolean;
  name: Identifier;
  count?: NumberLiteral;
  body: Body;
}

/**
 * `device name [stopped] { dma target ... }`: an actor that may access each listed target at any
 * moment while it runs. A DMA is two steps (issue, then complete), so a stop can leave one in
 * flight; `quiesce` waits for it.
 */
export interface DeviceDecl extends NodeBase {
  kind: 'DeviceDecl';
  isNew: boolean;
  name: Identifier;
  initiallyStopped: boolean;
  targets: DmaTarget[];
  body?: Range;
}

export interface DmaTarget extends NodeBase {
  kind: 'DmaTarget';
  target: Place;
}

/** `proposal name "summary" { items }`: an alternative that overrides items of the baseline. */
export interface ProposalDecl extends NodeBase {
  kind: 'ProposalDecl';
  name: Identifier;
  title?: StringLiteral;
  items: ProposalItem[];
  body?: Range;
}

export type ProposalItem = ObjectDecl | FnDecl | ThreadDecl | DeviceDecl | OrderDecl | RemoveDecl | ErrorNode;

/** `remove thread name` (and `remove fn`, `remove device`, `remove object`) inside a proposal. */
export interface RemoveDecl extends NodeBase {
  kind: 'RemoveDecl';
  targetKind: 'thread' | 'fn' | 'device' | 'object';
  name: Identifier;
}

/** `expect name: safe` or `expect name: use-after-free`; `name` is a proposal or `baseline`. */
export interface ExpectDecl extends NodeBase {
  kind: 'ExpectDecl';
  proposal: Identifier;
  /** `safe` or a violation kind name; `missing` when absent. The first of `outcomes`. */
  outcome: Identifier;
  /** Every outcome of `expect NAME: KIND, KIND, ...` in order, `outcome` first. */
  outcomes: Identifier[];
}

/**
 * `order <event> before <event> ["message"]`: an ordering requirement. The second event must not
 * happen before the first has happened.
 */
export interface OrderDecl extends NodeBase {
  kind: 'OrderDecl';
  isNew: boolean;
  first: EventPattern;
  second: EventPattern;
  message?: StringLiteral;
}

export type EventVerb =
  | 'free'
  | 'alloc'
  | 'stop'
  | 'quiesce'
  | 'start'
  | 'set'
  | 'clear'
  | 'call'
  | 'get'
  | 'put'
  | 'lock'
  | 'unlock'
  | 'use';

/** `free mm`, `stop dev`, `call unbind`, `clear entry.active`. */
export interface EventPattern extends NodeBase {
  kind: 'EventPattern';
  verb: EventVerb;
  target: Place;
}

/** `bind "&group->mutex" = group.mutex`: how a C expression maps onto the model. */
export interface BindDecl extends NodeBase {
  kind: 'BindDecl';
  cExpr: StringLiteral;
  target: Place;
}

// ---------------------------------------------------------------------------------------------
// Bodies and statements

export type Body = Block | CBody;

export interface Block extends NodeBase {
  kind: 'Block';
  statements: Statement[];
}

/** A body written in kernel C, kept verbatim: `c { ... }`. `code` excludes the outer braces. */
export interface CBody extends NodeBase {
  kind: 'CBody';
  code: string;
  /** Offset of `code[0]` in the file. */
  codeStart: number;
}

export type Statement =
  | RefStatement
  | MechanismStatement
  | CallbackStatement
  | UnloadStatement
  | LockStatement
  | UseStatement
  | LifecycleStatement
  | DeviceStatement
  | AssignStatement
  | StepStatement
  | WaitStatement
  | AssertStatement
  | IfStatement
  | WhileStatement
  | RepeatStatement
  | ChooseStatement
  | AtomicStatement
  | LetStatement
  | CallStatement
  | ReturnStatement
  | Block
  | ErrorNode;

/** `get mm.users` / `put mm.users`, or `put d.kref locking g.lock` (kref_put_mutex). */
export interface RefStatement extends NodeBase {
  kind: 'RefStatement';
  op: 'get' | 'put';
  target: Place;
  /** `put X.r locking L`: L is taken only when the count reaches zero, and the on-zero action runs holding it. */
  locking?: Place;
}

/** The kernel mechanisms' statements, by their kernel names; `operand` says what each acts on. */
export const MECHANISM_OPS = {
  queue_work: 'work',
  cancel_work: 'work',
  cancel_work_sync: 'work',
  flush_work: 'work',
  disable_work_sync: 'work',
  enable_work: 'work',
  flush_workqueue: 'workqueue',
  destroy_workqueue: 'workqueue',
  mod_timer: 'timer',
  add_timer: 'timer',
  del_timer: 'timer',
  del_timer_sync: 'timer',
  timer_delete_sync: 'timer',
  timer_shutdown_sync: 'timer',
  rcu_read_lock: 'none',
  rcu_read_unlock: 'none',
  synchronize_rcu: 'none',
  rcu_barrier: 'none',
  kfree_rcu: 'object',
  srcu_read_lock: 'srcu',
  srcu_read_unlock: 'srcu',
  synchronize_srcu: 'srcu',
  srcu_barrier: 'srcu',
  complete: 'completion',
  complete_all: 'completion',
  wait_for_completion: 'completion',
  reinit_completion: 'completion',
  init_completion: 'completion',
  percpu_ref_kill: 'percpu_ref',
  percpu_ref_init: 'percpu_ref',
  percpu_ref_exit: 'percpu_ref',
  percpu_ref_switch_to_atomic_sync: 'percpu_ref',
  module_put: 'module',
} as const;

export type MechanismOp = keyof typeof MECHANISM_OPS;

/** `queue_work d.work`, `synchronize_rcu`, `complete_all d.done`, ...: one of `MECHANISM_OPS`. */
export interface MechanismStatement extends NodeBase {
  kind: 'MechanismStatement';
  op: MechanismOp;
  /** What the statement acts on; absent for the operand-less RCU statements. */
  target?: Place;
}

/** `call_rcu f(x)` or `call_srcu s.srcu f(x)`: `f(x)` runs after a grace period. */
export interface CallbackStatement extends NodeBase {
  kind: 'CallbackStatement';
  op: 'call_rcu' | 'call_srcu';
  /** The SRCU domain, for call_srcu. */
  domain?: Place;
  call: CallStatement;
}

/** `unload M { exit }`: refused while the module is in use; else the exit code runs, then its code and data die. */
export interface UnloadStatement extends NodeBase {
  kind: 'UnloadStatement';
  module: Place;
  body: Block;
}

/** `lock group.mutex` / `unlock group.mutex`. */
export interface LockStatement extends NodeBase {
  kind: 'LockStatement';
  op: 'lock' | 'unlock';
  target: Place;
}

/** `use d.domain`: a CPU access to the object a place designates. */
export interface UseStatement extends NodeBase {
  kind: 'UseStatement';
  target: Place;
}

/** `free x` / `alloc x`. */
export interface LifecycleStatement extends NodeBase {
  kind: 'LifecycleStatement';
  op: 'free' | 'alloc';
  target: Place;
}

/** `start dev` / `stop dev` / `quiesce dev`. */
export interface DeviceStatement extends NodeBase {
  kind: 'DeviceStatement';
  op: 'start' | 'stop' | 'quiesce';
  target: Place;
}

/** `x.f = value`, `ok = value` (a local value), or `ok = f(args)`. */
export interface AssignStatement extends NodeBase {
  kind: 'AssignStatement';
  target: Place;
  value: Expression;
  /** Written `rcu_assign_pointer x.p = value`: a publication (a plain store under interleaving semantics). */
  publish?: boolean;
}

/** `set x.flag`, `clear x.flag` (also `clear x.ptr` for null), `inc x.n`, `dec x.n`. */
export interface StepStatement extends NodeBase {
  kind: 'StepStatement';
  op: 'set' | 'clear' | 'inc' | 'dec';
  target: Place;
}

/** `wait until cond`: blocks until the condition holds (wait_event semantics). */
export interface WaitStatement extends NodeBase {
  kind: 'WaitStatement';
  condition: Expression;
}

/** `assert cond ["message"]`. */
export interface AssertStatement extends NodeBase {
  kind: 'AssertStatement';
  condition: Expression;
  message?: StringLiteral;
}

export interface IfStatement extends NodeBase {
  kind: 'IfStatement';
  condition: Expression;
  then: Block;
  else?: Block | IfStatement;
}

export interface WhileStatement extends NodeBase {
  kind: 'WhileStatement';
  condition: Expression;
  body: Block;
}

/** `repeat N { ... }`: the body N times. */
export interface RepeatStatement extends NodeBase {
  kind: 'RepeatStatement';
  count: NumberLiteral;
  body: Block;
}

/** `choose { ... } or { ... }`: nondeterministic choice; `maybe { ... }` is `choose { ... } or { }`. */
export interface ChooseStatement extends NodeBase {
  kind: 'ChooseStatement';
  isMaybe: boolean;
  branches: Block[];
}

/** `atomic { ... }`: the body is one indivisible step. */
export interface AtomicStatement extends NodeBase {
  kind: 'AtomicStatement';
  body: Block;
}

/**
 * `let h = place`: a thread-local handle that remembers the object and its generation; or
 * `let ok = EXPR [in LO..HI]`: a local value (a boolean or a small int), or `let ok = f(args)`.
 */
export interface LetStatement extends NodeBase {
  kind: 'LetStatement';
  name: Identifier;
  value: Expression;
  /** `in LO..HI`: the range of an int local. */
  rangeLow?: NumberLiteral;
  rangeHigh?: NumberLiteral;
}

/** `f(a, b)`: a call of a procedure; arguments are places (objects) or values. */
export interface CallStatement extends NodeBase {
  kind: 'CallStatement';
  callee: Identifier;
  args: Expression[];
  /** Range of the parenthesised argument list, for signature help. */
  argsRange: Range;
}

/** `return` or `return EXPR` (the procedure's value; the expression starts on the same line). */
export interface ReturnStatement extends NodeBase {
  kind: 'ReturnStatement';
  value?: Expression;
}

// ---------------------------------------------------------------------------------------------
// Places and expressions

/**
 * A reference to an object or a member: `mm`, `mm.users`, `d.domain`, `bond.mm.users`, `h`.
 * Each segment after the first follows a pointer field (or names the final member).
 */
export interface Place extends NodeBase {
  kind: 'Place';
  segments: Identifier[];
}

export type Expression =
  | Place
  | CallExpression
  | RcuDereference
  | LockedPutExpression
  | NumberLiteral
  | BoolLiteral
  | NullLiteral
  | UnaryExpression
  | BinaryExpression
  | TryExpression
  | PredicateExpression
  | ParenExpression
  | MissingExpression;

export interface UnaryExpression extends NodeBase {
  kind: 'UnaryExpression';
  op: '!';
  operand: Expression;
}

export type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface BinaryExpression extends NodeBase {
  kind: 'BinaryExpression';
  op: BinaryOp;
  left: Expression;
  right: Expression;
}

/**
 * Conditions that act: `tryget mm.users` (get-not-zero), `trylock x.m`, `tryget_live d.ref`
 * (percpu_ref_tryget_live), `try_module_get M`, `wait_for_completion_timeout d.done` (may return
 * before complete): take the thing if possible, true if taken.
 */
export interface TryExpression extends NodeBase {
  kind: 'TryExpression';
  op: 'tryget' | 'trylock' | 'tryget_live' | 'try_module_get' | 'wait_for_completion_timeout';
  target: Place;
}

/**
 * `alive x`, `freed x`, `running dev`, `idle dev` (no DMA in flight), `held x.m`,
 * `percpu_ref_is_zero d.ref`, `completion_done d.done`, `work_pending d.work`, `timer_pending d.t`:
 * read-only tests.
 */
export interface PredicateExpression extends NodeBase {
  kind: 'PredicateExpression';
  op: 'alive' | 'freed' | 'running' | 'idle' | 'held' | 'percpu_ref_is_zero' | 'completion_done' | 'work_pending' | 'timer_pending';
  target: Place;
}

/** `f(args)` as the value of `let`, an assignment or `return`: the procedure's returned value. */
export interface CallExpression extends NodeBase {
  kind: 'CallExpression';
  call: CallStatement;
}

/** `rcu_dereference x.p`: the pointer, valid only inside the read-side section it is read in. */
export interface RcuDereference extends NodeBase {
  kind: 'RcuDereference';
  target: Place;
}

/**
 * `put X.r locking L` as a condition (refcount_dec_and_lock): true when the count reached zero, with
 * L then held by the thread; the on-zero action does not run (the branch is the release).
 */
export interface LockedPutExpression extends NodeBase {
  kind: 'LockedPutExpression';
  target: Place;
  lock: Place;
}

export interface ParenExpression extends NodeBase {
  kind: 'ParenExpression';
  inner: Expression;
}

/** Zero-width stand-in where an expression was required. */
export interface MissingExpression extends NodeBase {
  kind: 'MissingExpression';
}

export type Node =
  | SourceFile
  | Item
  | Member
  | Statement
  | Expression
  | Identifier
  | StringLiteral
  | DmaTarget
  | EventPattern
  | RemoveDecl
  | CBody;

/** The violation kinds, by their stable names. */
export const VIOLATION_KINDS = [
  'use-after-free',
  'dma-after-free',
  'double-free',
  'refcount-underflow',
  'get-from-zero',
  'leak',
  'deadlock',
  'lock-misuse',
  'stale-access',
  'assertion',
  'ordering',
  'livelock',
  'api-misuse',
  'rcu-escape',
] as const;

export type ViolationKind = (typeof VIOLATION_KINDS)[number];
