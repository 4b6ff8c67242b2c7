// Introduced, fixed or remaining: findings after a patch are paired with findings before it, first
// by their exact identity, then (for what is left) by a looser one, so that a renamed variable
// does not turn one finding into a fixed one and a new one. Each finding pairs at most once.

export interface Keyed<T> {
  item: T;
  /** Everything that identifies the finding. */
  exact: string;
  /** The identity without the parts a refactor may change (the variable's name). */
  loose: string;
}

export interface Classified<T> {
  /** After the patch only. */
  introduced: T[];
  /** Before the patch only. */
  fixed: T[];
  /** In both: the finding before and the same finding after. */
  remaining: { before: T; after: T }[];
}

function pairBy<T>(before: Keyed<T>[], after: Keyed<T>[], key: (k: Keyed<T>) => string, pairs: { before: T; after: T }[]): { before: Keyed<T>[]; after: Keyed<T>[] } {
  const waiting = new Map<string, Keyed<T>[]>();
  for (const entry of before) {
    const list = waiting.get(key(entry));
    if (list) list.push(entry);
    else waiting.set(key(entry), [entry]);
  }
  const unpairedAfter: Keyed<T>[] = [];
  for (const entry of after) {
    const match = waiting.get(key(entry))?.shift();
    if (match) pairs.push({ before: match.item, after: entry.item });
    else unpairedAfter.push(entry);
  }
  const unpairedBefore = [...waiting.values()].flat();
  unpairedBefore.sort((a, b) => before.indexOf(a) - before.indexOf(b));
  return { before: unpairedBefore, after: unpairedAfter };
}

export function classify<T>(before: Keyed<T>[], after: Keyed<T>[]): Classified<T> {
  const remaining: { before: T; after: T }[] = [];
  const exact = pairBy(before, after, (k) => k.exact, remaining);
  const loose = pairBy(exact.before, exact.after, (k) => k.loose, remaining);
  return { introduced: loose.after.map((k) => k.item), fixed: loose.before.map((k) => k.item), remaining };
}
