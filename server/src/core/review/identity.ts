// What makes two C findings, one before a patch and one after it, the same finding: the function
// they are in, their kind, the resource (`np`, `&dev->lock`) and the call that acquired it. Line
// numbers take no part, so that code a patch moves keeps its findings.
//
// The C front end gives a finding's function; the resource and the acquiring call are read here
// from its message and its related places ("acquired here"), in this one function, so that the
// front end's own fields can take over when it has them.

import type { CFinding } from '../c/index';

export interface FindingIdentity {
  function: string;
  kind: string;
  /** The object or lock as the message names it; the whole message (without line numbers) when it names none. */
  resource: string;
  /** The callee of the call that acquired the resource (for a double release, of the first release). */
  acquiredBy: string;
}

/** Related places that point at the acquiring call (or, for a second release, at the first). */
const ACQUIRING_NOTE = /^(acquired here|locked here|reference taken here|the reference was taken here|first release|\w+\(\) did not take the lock on this path|\w+\(\) puts .+ when it advances)$/;
/** Related places that point at the release a use comes after. */
const RELEASE_NOTE = /^(.+ released here|the reference is dropped here)$/;

const RESOURCE_PATTERNS: RegExp[] = [
  /^(the object returned by \w+\(\)) at line/,
  /^(.+?) from \w+\(\) at line \d+ is still held/,
  /^(.+?) is still locked when/,
  /^\w+\((.+?)\) releases .+ again/,
  /drops the reference to (.+?) \(it consumes/,
  /^\S+\((.+?)\) inside \w+\(\) drops a reference/,
  /^\w+\((.+?)\) unlocks a lock/,
  /^(.+?) is used after /,
  /keeps the reference to (.+?) taken by/,
];

function calleeIn(text: string, start: number, end: number): string | undefined {
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(text.slice(Math.max(0, start), Math.max(start, end)));
  return match?.[1];
}

function resourceOf(message: string): string {
  for (const pattern of RESOURCE_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return match[1].replace(/\s+/g, '');
  }
  return message.replace(/\bline \d+/g, 'line _');
}

export function findingIdentity(finding: CFinding, text: string): FindingIdentity {
  const acquiring = finding.related.find((r) => ACQUIRING_NOTE.test(r.message)) ?? finding.related.find((r) => RELEASE_NOTE.test(r.message));
  const site = acquiring ?? finding;
  return {
    function: finding.function,
    kind: finding.kind,
    resource: resourceOf(finding.message),
    acquiredBy: calleeIn(text, site.start, site.end) ?? '',
  };
}
