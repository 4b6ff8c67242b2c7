// One string per distinct name in a file. A model repeats a few hundred names tens of thousands of
// times; sharing one string per name keeps the tree small, and the checker's lookups by name then
// hash each name once instead of once per occurrence.

const INITIAL_CAPACITY = 1024;

export class NameTable {
  private names: (string | undefined)[] = new Array(INITIAL_CAPACITY).fill(undefined);
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private count = 0;

  constructor(private readonly text: string) {}

  /** The shared string for `text.slice(start, end)`, whose hash the scanner computed. */
  intern(start: number, end: number, hash: number): string {
    const text = this.text;
    const length = end - start;
    const mask = this.names.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const name = this.names[slot];
      if (name === undefined) return this.insert(slot, hash, text.slice(start, end));
      if (this.hashes[slot] === hash && name.length === length && text.startsWith(name, start)) return name;
    }
  }

  private insert(slot: number, hash: number, name: string): string {
    this.names[slot] = name;
    this.hashes[slot] = hash;
    this.count++;
    if (this.count * 2 > this.names.length) this.grow();
    return name;
  }

  private grow(): void {
    const oldNames = this.names;
    const oldHashes = this.hashes;
    const capacity = oldNames.length * 2;
    const mask = capacity - 1;
    this.names = new Array(capacity).fill(undefined);
    this.hashes = new Int32Array(capacity);
    for (let i = 0; i < oldNames.length; i++) {
      const name = oldNames[i];
      if (name === undefined) continue;
      let slot = oldHashes[i] & mask;
      while (this.names[slot] !== undefined) slot = (slot + 1) & mask;
      this.names[slot] = name;
      this.hashes[slot] = oldHashes[i];
    }
  }
}
