/**
 * A sorted list kept as a sequence of bounded chunks (a flat B-tree): inserts and
 * deletes touch one chunk, searches are two binary searches, so index maintenance and
 * lookups stay logarithmic-ish on collections of hundreds of thousands of entries.
 */
export class SortedList<T> {
  static readonly #MAX_CHUNK = 512;
  #chunks: T[][] = [];
  #size = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.#size;
  }

  /** Index of the first chunk whose last entry is not below the probe. */
  #chunkFor(below: (entry: T) => boolean): number {
    let lo = 0;
    let hi = this.#chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (below(chunk[chunk.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  static #firstNotBelow<T>(chunk: T[], below: (entry: T) => boolean): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(chunk[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(entry: T): void {
    this.#size += 1;
    if (this.#chunks.length === 0) {
      this.#chunks.push([entry]);
      return;
    }
    const below = (e: T) => this.compare(e, entry) < 0;
    let c = this.#chunkFor(below);
    if (c === this.#chunks.length) c -= 1;
    const chunk = this.#chunks[c]!;
    chunk.splice(SortedList.#firstNotBelow(chunk, below), 0, entry);
    if (chunk.length > SortedList.#MAX_CHUNK) {
      this.#chunks.splice(c + 1, 0, chunk.splice(chunk.length >>> 1));
    }
  }

  /** Removes the entry comparing equal to `entry`; false when absent. */
  delete(entry: T): boolean {
    const below = (e: T) => this.compare(e, entry) < 0;
    const c = this.#chunkFor(below);
    const chunk = this.#chunks[c];
    if (!chunk) return false;
    const i = SortedList.#firstNotBelow(chunk, below);
    if (i >= chunk.length || this.compare(chunk[i]!, entry) !== 0) return false;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.#chunks.splice(c, 1);
    this.#size -= 1;
    return true;
  }

  /** Global position of the first entry for which `below` is false (entries are partitioned by it). */
  position(below: (entry: T) => boolean): number {
    const c = this.#chunkFor(below);
    let offset = 0;
    for (let i = 0; i < c; i++) offset += this.#chunks[i]!.length;
    const chunk = this.#chunks[c];
    return chunk ? offset + SortedList.#firstNotBelow(chunk, below) : offset;
  }

  /** Entries at global positions [start, end). */
  *range(start: number, end: number): Generator<T> {
    let offset = 0;
    for (const chunk of this.#chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > start) {
        for (let i = Math.max(0, start - offset); i < chunk.length && offset + i < end; i++) yield chunk[i]!;
      }
      offset = chunkEnd;
      if (offset >= end) return;
    }
  }

  *[Symbol.iterator](): Generator<T> {
    for (const chunk of this.#chunks) yield* chunk;
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }
}
