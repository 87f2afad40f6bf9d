/**
 * Source quoted in a message, on one line: line breaks and their indentation removed
 * (`db\n  .select()` reads `db.select()`), other runs of spaces collapsed, cut at `max` characters.
 */
export function snippet(text: string, max = 60): string {
  const line = text
    .replace(/\s*\n\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
