// The batch scorer's duplicate check in bounded memory: an open-addressing set of 64-bit hashes in a typed array (8 bytes
// a slot, load at most 1/2). Two distinct IDs collide with probability ~n²/2⁶⁵ (1e-7 at ten million IDs); no strings are kept.

/** Customer IDs seen so far, as hashes; at most `max` of them. */
export class IdHashSet {
  private table = new Uint32Array(2 * 1024);
  private slots = 1024;
  size = 0;
  constructor(readonly max: number) {}

  /** True when `id` was seen before; otherwise remembers it (while under `max`). `full` reports when it could not. */
  seen(id: string): boolean | "full" {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = (h1 ^ (h1 >>> 16)) >>> 0 || 1;
    h2 = (Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35) ^ id.length) >>> 0;
    const found = this.find(h1, h2);
    if (this.table[2 * found] !== 0) return true;
    if (this.size >= this.max) return "full";
    this.table[2 * found] = h1;
    this.table[2 * found + 1] = h2;
    if (++this.size * 2 > this.slots) this.grow();
    return false;
  }

  private find(h1: number, h2: number): number {
    const mask = this.slots - 1;
    let i = (h1 ^ Math.imul(h2, 0x27d4eb2d)) & mask;
    for (;;) {
      const a = this.table[2 * i];
      if (a === 0 || (a === h1 && this.table[2 * i + 1] === h2)) return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Uint32Array(2 * this.slots);
    for (let i = 0; i < old.length; i += 2) {
      const h1 = old[i] ?? 0;
      if (h1 === 0) continue;
      const h2 = old[i + 1] ?? 0;
      const j = this.find(h1, h2);
      this.table[2 * j] = h1;
      this.table[2 * j + 1] = h2;
    }
  }
}
