/**
 * Turns `.gitignore` lines into ESLint flat-config `ignores` patterns (relative to the same
 * directory): `dist/` → `**\/dist/`, `/build` → `build` and `build/**`, `!keep.ts` → `!**\/keep.ts`.
 */
export function gitignoreToIgnorePatterns(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    line = line.replace(/^\\([#!])/, '$1');
    const directoryOnly = line.endsWith('/');
    if (directoryOnly) line = line.slice(0, -1);
    if (line === '') continue;
    // A slash at the start or in the middle anchors the pattern to this directory.
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const base = anchored || line.startsWith('**/') ? line : `**/${line}`;
    const forms = directoryOnly ? [`${base}/`] : [base, `${base}/**`];
    for (const form of forms) patterns.push(negated ? `!${form}` : form);
  }
  return patterns;
}
