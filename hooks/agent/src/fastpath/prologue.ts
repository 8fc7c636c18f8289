// The first instructions of functions, each parsed once: the tail-call check and the direct
// installer (direct.ts) read the same ones, and Instruction.parse is not free.

export class Prologues {
  private readonly parsed = new Map<string, Instruction[]>();

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
        return null;
      }
    }
    return list[index] ?? null;
  }
}
