// The parts of one lowering, each a module with a small interface, reachable from each other
// through this record (the kernel mechanisms call on each other: a work item's handler is lowered
// by the control flow, a timer's teardown waits for a handler, a callback needs the grace periods).

import type { Bounds } from './bounds';
import type { LoweringContext } from './context';
import type { Control } from './control';
import type { Completions } from './completions';
import type { CoupledPuts } from './coupled';
import type { Devices } from './devices';
import type { Expressions } from './expressions';
import type { Handlers } from './handlers';
import type { Locks } from './locks';
import type { Memory } from './memory';
import type { Modules } from './modules';
import type { Orders } from './orders';
import type { PercpuRefs } from './percpu';
import type { Places } from './places';
import type { Rcu } from './rcu';
import type { Timers } from './timers';
import type { Values } from './values';
import type { WorkItems } from './work';

export interface Lowering {
  ctx: LoweringContext;
  bounds: Bounds;
  places: Places;
  orders: Orders;
  expressions: Expressions;
  memory: Memory;
  locks: Locks;
  devices: Devices;
  control: Control;
  values: Values;
  handlers: Handlers;
  work: WorkItems;
  timers: Timers;
  rcu: Rcu;
  completions: Completions;
  percpu: PercpuRefs;
  modules: Modules;
  coupled: CoupledPuts;
}
