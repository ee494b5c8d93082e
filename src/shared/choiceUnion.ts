/** A list of string choices as hints write it, like a TypeScript union: `"int8" | "int4" | "fp32"`. */
export function choiceUnion(choices: readonly string[]): string {
  return choices.map((choice) => `"${choice}"`).join(' | ');
}
