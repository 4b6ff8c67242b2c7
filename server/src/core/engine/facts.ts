// Per-step facts for hovers and inlay hints, collected during the same breadth-first search: how many
// reachable states execute each statement, the values of the counters, flags, states, ints,
// lifecycles, locks and devices it touches just before and after, the reference count transitions
// seen there, and which other actors can move in the same states.

import type { CompiledSystem } from './compile';
import type { SearchObserver } from './explore';
import { formatValue } from './ir';
import type { StepFacts, ValueSummary } from './types';

const MAX_LISTED = 8;
const SUMMARISED_KINDS = new Set(['ref', 'flag', 'state', 'int', 'life', 'generation', 'lockOwner', 'running', 'inflight']);

interface Location {
  start: number;
  end: number;
  actors: Set<string>;
  states: number;
  lastState: number;
  variables: number[];
  before: ValueSet[];
  after: ValueSet[];
  transitions: Set<string>;
  interleavers: Uint8Array;
}

/** The values a variable took: a bitmask for small domains, min and max always. */
class ValueSet {
  mask = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    if (value < 31) this.mask |= 1 << value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

export class FactsCollector implements SearchObserver {
  private readonly locations: Location[] = [];
  /** Per actor, per transition id: the location index. */
  private readonly locationOf: Int32Array[];
  private serial = 0;
  private enabled: Int32Array = new Int32Array(0);
  private enabledCount = 0;

  constructor(private readonly compiled: CompiledSystem) {
    const system = compiled.system;
    const byRange = new Map<string, number>();
    this.locationOf = system.actors.map((actor) =>
      Int32Array.from(
        actor.transitions.map((t) => {
          const key = `${t.start}:${t.end}`;
          let index = byRange.get(key);
          if (index === undefined) {
            index = this.locations.length;
            byRange.set(key, index);
            this.locations.push({
              start: t.start,
              end: t.end,
              actors: new Set(),
              states: 0,
              lastState: -1,
              variables: [],
              before: [],
              after: [],
              transitions: new Set(),
              interleavers: new Uint8Array(system.actors.length),
            });
          }
          const location = this.locations[index];
          location.actors.add(actor.name);
          for (const v of [...t.reads, ...t.writes]) {
            if (!SUMMARISED_KINDS.has(system.variables[v].kind) || location.variables.includes(v)) continue;
            location.variables.push(v);
            location.before.push(new ValueSet());
            location.after.push(new ValueSet());
          }
          return index;
        }),
      ),
    );
  }

  state(_s: Int32Array, enabledActors: Int32Array, enabledCount: number): void {
    this.serial++;
    this.enabled = enabledActors;
    this.enabledCount = enabledCount;
  }

  transition(actor: number, transition: number, before: Int32Array, after: Int32Array): void {
    const location = this.locations[this.locationOf[actor][transition]];
    if (location.lastState !== this.serial) {
      location.lastState = this.serial;
      location.states++;
      for (let k = 0; k < this.enabledCount; k++) if (this.enabled[k] !== actor) location.interleavers[this.enabled[k]] = 1;
    }
    const variables = location.variables;
    for (let k = 0; k < variables.length; k++) {
      const v = variables[k];
      location.before[k].add(before[v]);
      location.after[k].add(after[v]);
      if (before[v] !== after[v] && this.compiled.system.variables[v].kind === 'ref') {
        const name = this.compiled.system.variables[v].name;
        location.transitions.add(`${name.slice(name.lastIndexOf('.') + 1)} ${before[v]}→${after[v]}`);
      }
    }
  }

  private summary(v: number, values: ValueSet): ValueSummary {
    const system = this.compiled.system;
    const name = system.variables[v].name;
    const listed: string[] = [];
    if (values.max < 31) {
      for (let value = 0; value < 31; value++) if (values.mask & (1 << value)) listed.push(formatValue(system, v, value));
    }
    if (listed.length > 0 && listed.length <= MAX_LISTED) return { name, values: listed };
    const offset = system.variables[v].offset ?? 0;
    return { name, values: [], min: values.min + offset, max: values.max + offset };
  }

  results(): StepFacts[] {
    const system = this.compiled.system;
    return this.locations
      .filter((location) => location.states > 0)
      .map((location) => ({
        start: location.start,
        end: location.end,
        actors: [...location.actors],
        states: location.states,
        before: location.variables.map((v, k) => this.summary(v, location.before[k])),
        after: location.variables.map((v, k) => this.summary(v, location.after[k])),
        transitions: [...location.transitions].sort(),
        interleavers: system.actors.filter((a) => location.interleavers[a.index] === 1).map((a) => a.name),
      }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
  }
}
