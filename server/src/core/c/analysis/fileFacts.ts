// Facts about a whole translation unit that the analysis of each of its functions needs: gathered once
// per file, before any function is analysed.

/** What the analysis of one function may learn from the rest of its file. */
export interface FileFacts {
  /**
   * Members and variables initialised as counting semaphores (`sema_init(&p->sem, 4)`): `down()` on
   * them takes one of several slots, not a lock, and need not be paired on every path.
   */
  countingSemaphores: Set<string>;
}

const SEMA_INIT = /\bsema_init\s*\(\s*&?\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*(?:->|\.)\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*,\s*([A-Za-z0-9_]+)\s*\)/g;

/** The last name of a key or an argument's text: `sem` for `&p->dev.sem`. */
export function lastMember(key: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(key);
  return match ? match[1] : key;
}

export function collectFileFacts(text: string): FileFacts {
  const countingSemaphores = new Set<string>();
  if (text.includes('sema_init')) {
    SEMA_INIT.lastIndex = 0;
    for (let match = SEMA_INIT.exec(text); match; match = SEMA_INIT.exec(text)) {
      // Only a semaphore initialised to 1 is a lock; 0 is a completion-like signal, above 1 a count.
      if (match[2] !== '1') countingSemaphores.add(lastMember(match[1]));
    }
  }
  return { countingSemaphores };
}

export function emptyFileFacts(): FileFacts {
  return { countingSemaphores: new Set() };
}
