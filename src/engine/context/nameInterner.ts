/**
 * One copy of each symbol name for the whole index. Names come out of tree-sitter as slices of the file's
 * text, and V8 keeps a slice's whole parent string alive: without a flat copy, every indexed file's content
 * would stay in memory for the sake of a few identifiers. Interning also shares the names that thousands of
 * files use (`length`, `props`).
 */
export class NameInterner {
  private readonly names = new Map<string, string>();

  intern(name: string): string {
    let interned = this.names.get(name);
    if (interned === undefined) {
      // Concatenating then slicing forces V8 to copy the characters into a new string of their own.
      interned = ' '.concat(name).slice(1);
      this.names.set(interned, interned);
    }
    return interned;
  }
}
