// Symmetry reduction for `thread NAME[N]`: instances are interchangeable, so a state is stored in a
// canonical form with the instance blocks (program counter and handles) sorted, and lock owners
// renamed to follow their instance.

import type { TransitionSystem } from './ir';

export type Canonicalizer = (s: Int32Array) => void;

interface Group {
  actors: number[];
  /** Per instance: its pc variable and handle variables, in the same order for every instance. */
  blocks: number[][];
}

/** A function that puts a state into canonical form in place, or undefined when nothing is symmetric. */
export function makeCanonicalizer(system: TransitionSystem): Canonicalizer | undefined {
  const groups: Group[] = [];
  for (const group of system.symmetryGroups) {
    if (group.actors.length < 2) continue;
    const blocks = group.actors.map((a) => [system.actors[a].pcVar, ...system.actors[a].locals]);
    if (blocks.some((block) => block.length !== blocks[0].length)) continue;
    groups.push({ actors: group.actors, blocks });
  }
  if (groups.length === 0) return undefined;
  const locks = system.variables.filter((v) => v.kind === 'lockOwner').map((v) => v.index);
  const order = new Int32Array(64);
  const saved = new Int32Array(system.variables.length);

  const compare = (s: Int32Array, group: Group, i: number, j: number): number => {
    const a = group.blocks[i];
    const b = group.blocks[j];
    for (let k = 0; k < a.length; k++) {
      const d = s[a[k]] - s[b[k]];
      if (d !== 0) return d;
    }
    const ownerI = group.actors[i] + 1;
    const ownerJ = group.actors[j] + 1;
    for (const lock of locks) {
      const d = (s[lock] === ownerI ? 1 : 0) - (s[lock] === ownerJ ? 1 : 0);
      if (d !== 0) return d;
    }
    return 0;
  };

  return (s: Int32Array): void => {
    for (const group of groups) {
      const n = group.actors.length;
      for (let i = 0; i < n; i++) order[i] = i;
      let identity = true;
      for (let i = 1; i < n; i++) {
        const item = order[i];
        let j = i - 1;
        while (j >= 0 && compare(s, group, order[j], item) > 0) {
          order[j + 1] = order[j];
          j--;
          identity = false;
        }
        order[j + 1] = item;
      }
      if (identity) continue;
      // Slot `j` receives the block of instance `order[j]`.
      for (let i = 0; i < n; i++) for (const v of group.blocks[i]) saved[v] = s[v];
      for (let j = 0; j < n; j++) {
        const from = group.blocks[order[j]];
        const to = group.blocks[j];
        for (let k = 0; k < to.length; k++) s[to[k]] = saved[from[k]];
      }
      for (const lock of locks) {
        const owner = s[lock] - 1;
        if (owner < 0) continue;
        for (let j = 0; j < n; j++) {
          if (group.actors[order[j]] === owner) {
            s[lock] = group.actors[j] + 1;
            break;
          }
        }
      }
    }
  };
}
