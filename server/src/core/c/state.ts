// The abstract state of one path through a C function: what it holds, and what it knows of values.

import type { ApiEntry } from './apiTable';

/** Value classes: zero or NULL, negative or an ERR_PTR, positive or a valid pointer. */
export const Z = 1;
export const NEG = 2;
export const POS = 4;
export const ALL = Z | NEG | POS;

export type ResStatus = 'held' | 'cond' | 'released' | 'failed';

/** Something a path acquired (or, for `tracked: false`, freed without having acquired it). */
export interface Res {
  /** Offset of the acquiring call; the identity of the resource along a path. */
  site: number;
  siteEnd: number;
  api: ApiEntry;
  family: string;
  /** The keys under which the object is known on this path. */
  names: string[];
  status: ResStatus;
  /** For `cond`: the value whose class decides whether the acquire succeeded, and the classes meaning yes. */
  condVar?: string;
  /** For a conditional acquire that a test found to have succeeded: the value that said so, whose class stays worth keeping. */
  decidedBy?: string;
  okMask: number;
  releaseSite?: number;
  releaseEnd?: number;
  releaseApi?: string;
  releasedByConsume?: boolean;
  /** Bound to a local variable (a returned object) or a loop variable, rather than to a caller's object. */
  local: boolean;
  iterator: boolean;
  tracked: boolean;
  /** A count on a caller's object that this path dropped (`pm_runtime_put(dev)`); a later get repays it. */
  countDebt?: boolean;
  /** A caller's lock this path dropped, handed since to a helper that may have taken it again. */
  mayBeRetaken?: boolean;
  /**
   * A lock that this path handed, after taking it, to a function the file does not define (`ptl`,
   * a folio, the saved `flags`), or whose structure it handed to a function of the file that drops
   * and retakes it (`allocate_file_region_entries(resv, ...)` with `resv->lock` held): that function
   * may unlock it.
   */
  handedToCallee?: boolean;
  /**
   * An allocation handed, itself or a member of it, to a registration (`rpmsg_register_device(rpdev)`
   * with `rpdev = &vch->rpdev`): many registrations drop the structure through its release callback
   * when they fail, so freeing it after a failure may be a double free rather than a missing one.
   */
  handedToRegistration?: boolean;
  /**
   * Stored in a field of an object whose reference the path then dropped with a put that may run a
   * release callback (`pdev->dev.of_node = of_node_get(...)`, then `platform_device_put(pdev)`): the
   * callback may drop this reference too.
   */
  containerPut?: boolean;
  /**
   * A reference on an object the function did not create, held when the path queued a work item
   * (`scst_sysfs_queue_wait_work(work)`): the work may own it and drop it when it runs.
   */
  queuedWork?: boolean;
  /** Handed to a call or stored in a structure: only an error return that does not undo it is a leak. */
  escaped?: boolean;
  /** Escaped only by being handed to calls (not stored): an error return still has to undo it. */
  handedOnly?: boolean;
  /** Keys of the structure fields it was stored in; they still name it after the variables change. */
  storedAs?: string[];
  /**
   * The last escape was by a call whose result (`value`) tells whether it stored the object: where
   * that result is an error, the escape did not happen and the flags it replaced are back.
   */
  escapeUndo?: { value: string; escaped?: boolean; handedOnly?: boolean };
  /**
   * Escaped only by being handed to the acquire at this site (`request_irq(irq, fn, 0, name, data)`):
   * the release of what that acquire took (`free_irq(irq, data)`) gives the object back.
   */
  escapedBy?: number;
  /** A use after its release was reported on this path: later uses repeat the same bug and are not reported again. */
  useReported?: boolean;
  /** `lastGoto` of the path when the resource was acquired, to tell whether a later goto left with it. */
  gotoAtAcquire: number;
  /** The path's trail when it acquired the resource: the steps after it lead to the leak. */
  trailAtAcquire?: TrailStep;
  /** Source text of the acquire's arguments, for fixes. */
  argTexts: string[];
}

/** One branch or goto a path took, linked to the one before it (shared between the paths that split here). */
export interface TrailStep {
  s: number;
  e: number;
  /** `if (ret) taken`, `if (!dev) not taken`, `goto err_put`. */
  text: string;
  prev?: TrailStep;
}

export interface State {
  /** The branches and gotos this path took; not part of the state's identity. */
  trail?: TrailStep;
  res: Res[];
  masks: Map<string, number>;
  /** Conditions (by source text, or a preprocessor condition) already decided on this path. */
  conds: Map<string, number>;
  lastGoto: number;
}

export function initialState(): State {
  return { res: [], masks: new Map(), conds: new Map(), lastGoto: -1 };
}

export function cloneState(state: State): State {
  return { trail: state.trail, res: state.res.slice(), masks: new Map(state.masks), conds: new Map(state.conds), lastGoto: state.lastGoto };
}

export function stateKey(state: State): string {
  let key = `${state.lastGoto}|`;
  const res = state.res.length > 1 ? state.res.slice().sort((a, b) => a.site - b.site || a.status.localeCompare(b.status)) : state.res;
  for (const r of res) key += `${r.site}${r.status[0]}${r.escaped ? (r.handedOnly ? 'h' : 'e') : ''}${r.mayBeRetaken ? 'm' : ''}${r.useReported ? 'u' : ''}${r.names.join(',')}${r.condVar ?? ''}${r.releaseSite ?? ''}${r.escapeUndo ? `~${r.escapeUndo.value}` : ''};`;
  key += '|';
  if (state.masks.size > 0) {
    const masks = [...state.masks].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [k, v] of masks) key += `${k}=${v},`;
  }
  key += '|';
  if (state.conds.size > 0) {
    const conds = [...state.conds].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [k, v] of conds) key += `${k}=${v},`;
  }
  return key;
}

export function resMatches(res: Res, key: string): boolean {
  if (res.names.includes(key)) return true;
  const alias = res.api.alias;
  if (alias) for (const name of res.names) if (name + alias === key) return true;
  return false;
}

export function isLive(res: Res): boolean {
  return res.status === 'held' || res.status === 'cond';
}
