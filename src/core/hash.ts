// Stable hashing of plain numeric state: FNV-1a (64-bit, as two 32-bit halves) over the exact
// IEEE 754 bytes of each number, so two states hash equal only if every bit agrees.

export class StateHasher {
  private lo = 0x84222325;
  private hi = 0xcbf29ce4;
  private readonly view = new DataView(new ArrayBuffer(8));

  private byte(b: number): void {
    // 64-bit FNV-1a: h ^= b; h *= 0x100000001b3 (prime = 2^40 + 0x1b3)
    const lo = (this.lo ^ b) >>> 0;
    const m = lo * 0x1b3; // < 2^41: exact in a double
    this.lo = m >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + Math.floor(m / 4294967296) + (lo << 8)) >>> 0; // lo * 2^40 adds lo << 8 to the high word
  }

  number(x: number): this {
    this.view.setFloat64(0, x === 0 ? 0 : x); // fold -0 into 0
    for (let i = 0; i < 8; i++) this.byte(this.view.getUint8(i));
    return this;
  }

  numbers(xs: ArrayLike<number>): this {
    for (let i = 0; i < xs.length; i++) this.number(xs[i]);
    return this;
  }

  string(s: string): this {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.byte(c & 0xff);
      this.byte(c >>> 8);
    }
    return this.byte0();
  }

  private byte0(): this {
    this.byte(0);
    return this;
  }

  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }
}
