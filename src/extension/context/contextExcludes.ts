/**
 * The globs the repository index leaves out, beside `.gitignore`: VS Code's `files.exclude` (the patterns set
 * to `true`; a `{ when: … }` condition depends on sibling files the engine does not evaluate, so those stay
 * in) and Hearth's own `hearth.context.exclude`.
 */
export function contextExcludes(filesExclude: unknown, hearthExclude: unknown): string[] {
  const globs: string[] = [];
  if (typeof filesExclude === 'object' && filesExclude !== null) {
    for (const [glob, enabled] of Object.entries(filesExclude)) if (enabled === true) globs.push(glob);
  }
  if (Array.isArray(hearthExclude)) {
    for (const glob of hearthExclude) if (typeof glob === 'string' && glob.trim() !== '') globs.push(glob.trim());
  }
  return [...new Set(globs)];
}
