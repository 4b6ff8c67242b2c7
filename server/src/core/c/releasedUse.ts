// When a use of a pointer after its release is a use-after-release.
//
// Two releases end an object's life on a path: one that frees it (`kfree(p)`), and a put of the last
// reference the path itself acquired on it (`np = of_find_node_by_name(...); of_node_put(np);`). A put
// of a caller's object proves nothing, since the caller still holds its own reference.

import { isLive, type Res, type State } from './state';

/**
 * How a pointer is used: dereferenced (`p->f`, `*p`, `p[i]`, or handed to a call the API table
 * knows to use its argument), an address inside it computed (`&p->f`), or handed to a call the
 * analysis knows nothing of.
 */
export type PointerUse = 'dereference' | 'address-taken' | 'handed-to-unknown-call';

/** Why the released object is gone: freed, or its last reference on the path was dropped. */
export type ReleaseEnding = 'freed' | 'last-reference';

/** A reference the path took itself from a lookup or a constructor (`of_find_node_by_name()`), not one on a caller's object. */
function isOwnNewReference(res: Res): boolean {
  return res.tracked && !res.iterator && res.api.kind === 'ref' && res.api.object === 'return' && !res.escaped;
}

/**
 * Another reference the path still holds keeps the object alive: a second one on it (`of_node_get(np)`
 * taken before the put), or one on an object of another family looked up from it, which refers to it
 * (`pdev = of_find_device_by_node(np)`: the device holds its node).
 */
function keptByAnotherReference(state: State, released: Res, name: string): boolean {
  return state.res.some((r) => {
    if (r === released || !isLive(r) || r.api.kind === 'lock') return false;
    if (r.names.includes(name)) return true;
    const lookedUpFromIt = r.api.kind === 'ref' && r.api.object === 'return' && r.family !== released.family;
    return lookedUpFromIt && r.argTexts.some((text) => released.names.includes(text.trim()));
  });
}

/**
 * What ended the life of the object known as `name`, as far as `res` says, or undefined when a use of
 * `name` after the release of `res` is fine.
 */
export function releaseEnding(res: Res, name: string, state: State, use: PointerUse, lockFamilies: ReadonlySet<string>): ReleaseEnding | undefined {
  if (res.status !== 'released' || res.releasedByConsume || res.releaseSite === undefined || !res.names.includes(name)) return undefined;
  if (lockFamilies.has(res.family)) return undefined;
  if (res.api.frees || (res.tracked && res.api.kind === 'memory')) return res.tracked && res.iterator ? undefined : 'freed';
  if (use === 'dereference' && isOwnNewReference(res) && !keptByAnotherReference(state, res, name)) return 'last-reference';
  return undefined;
}

/**
 * The message of a use-after-release finding, naming the release as written (`releaseText`, e.g.
 * `put_device(&pdev->dev)`); `{line:N}` is filled in by the caller.
 */
export function useAfterReleaseMessage(name: string, res: Res, ending: ReleaseEnding, releaseText: string): string {
  const release = `${releaseText} at line {line:${res.releaseSite}}`;
  if (ending === 'freed') return `${name} is used after ${release} released it`;
  return `${name} is used after ${release} dropped the reference this path held (taken by ${res.api.name}() at line {line:${res.site}})`;
}
