// The first instructions of functions, each parsed once: the tail-call check and the direct
// installer (direct.ts) read the same ones, and Instruction.parse is not free.

/** The longest x86 instruction: bytes a failed decode may have depended on. */
const LONGEST = 15;

export class Prologues {
  private readonly parsed = new Map<string, Instruction[]>();
  /** starts whose next instruction did not decode */
  private readonly undecodable = new Set<string>();

  /** The `index`th instruction from `start` (0: the one at `start`), or null when it does not
   * decode. */
  at(start: NativePointer, index: number): Instruction | null {
    const key = start.toString();
    let list = this.parsed.get(key);
    if (list === undefined) {
      list = [];
      this.parsed.set(key, list);
    }
    while (list.length <= index) {
      const last = list[list.length - 1];
      try {
        list.push(Instruction.parse(last === undefined ? start : last.next));
      } catch {
        this.undecodable.add(key);
        return null;
      }
    }
    return list[index] ?? null;
  }

  /** How many bytes from `start` the instructions looked at so far came from (those that did
   * not decode counted at their longest): everything a decision made from them read. */
  span(start: NativePointer): number {
    const key = start.toString();
    const list = this.parsed.get(key) ?? [];
    const last = list[list.length - 1];
    const decoded = last === undefined ? 0 : last.next.sub(start).toInt32();
    return decoded + (this.undecodable.has(key) ? LONGEST : 0);
  }
}
