/** Whether untrusted data is one of a list of choices (a protocol `const`), narrowing it to the choice's type. */
export function isChoice<T extends string>(choices: readonly T[], value: unknown): value is T {
  return (choices as readonly unknown[]).includes(value);
}
