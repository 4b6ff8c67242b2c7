// A compact token list: kinds and ranges in typed arrays, so that a large file's tokens cost a few
// bytes each and no garbage-collected objects. Token objects are made only when someone asks.

import { TokenKind, type Token } from './tokens';
import { resized } from '../util/typedArrays';

export class TokenStore {
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  count = 0;
  /** Token objects already handed out, by index, so that each token has one object. */
  private readonly made = new Map<number, Token>();
  private all: Token[] | undefined;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.kinds = new Uint8Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
  }

  /** Appends a token and returns its index. */
  push(kind: TokenKind, start: number, end: number): number {
    const index = this.count;
    if (index === this.kinds.length) this.grow();
    this.kinds[index] = kind;
    this.starts[index] = start;
    this.ends[index] = end;
    this.count = index + 1;
    return index;
  }

  /** Drops every token from `count` on. */
  truncate(count: number): void {
    for (let i = count; i < this.count; i++) this.made.delete(i);
    this.count = count;
  }

  /** The object for the token at `index`; asking twice gives the same object. */
  object(index: number): Token {
    if (this.all !== undefined) return this.all[index];
    let token = this.made.get(index);
    if (token === undefined) {
      token = { kind: this.kinds[index], start: this.starts[index], end: this.ends[index] };
      this.made.set(index, token);
    }
    return token;
  }

  /** Every token as an object, in order; the same array on every call. */
  toArray(): Token[] {
    if (this.all !== undefined) return this.all;
    const all: Token[] = [];
    for (let i = 0; i < this.count; i++) {
      all.push(this.made.get(i) ?? { kind: this.kinds[i], start: this.starts[i], end: this.ends[i] });
    }
    this.made.clear();
    this.all = all;
    return all;
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    this.kinds = resized(this.kinds, size);
    this.starts = resized(this.starts, size);
    this.ends = resized(this.ends, size);
  }
}
