// The stack the parser builds its lists on. Lists nest (a block's statements hold blocks), so each
// list begins at a mark and leaves the stack in one copy of its exact length when it is complete:
// nothing is allocated while a list grows, and no list keeps spare capacity.

export class ListStack {
  private readonly items: unknown[] = [];
  private top = 0;

  /** Where a new list begins. */
  mark(): number {
    return this.top;
  }

  push(item: unknown): void {
    this.items[this.top++] = item;
  }

  /** The items pushed since `mark`, as a new array; they leave the stack. */
  take<T>(mark: number): T[] {
    const list = this.items.slice(mark, this.top) as T[];
    this.top = mark;
    return list;
  }
}
