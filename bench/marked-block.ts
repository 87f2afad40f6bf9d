/**
 * A section of a generated markdown file that one bench owns, between two marker comments, so
 * another bench that rewrites the file keeps it (docs/benchmarks.md: bench:talk writes the file,
 * its overload run and bench:overhead each their own section).
 */
export interface BlockMarkers {
  start: string;
  end: string;
}

function blockRange(markdown: string, { start, end }: BlockMarkers): [number, number] | undefined {
  const from = markdown.indexOf(start);
  const to = from === -1 ? -1 : markdown.indexOf(end, from);
  if (to === -1) return undefined;
  const after = to + end.length;
  return [from, markdown[after] === '\n' ? after + 1 : after];
}

/** The marked section of `markdown`, markers included, if it has one. */
export function extractBlock(markdown: string, markers: BlockMarkers): string | undefined {
  const range = blockRange(markdown, markers);
  return range && markdown.slice(...range);
}

/** `markdown` with its marked section replaced by `block`, or `block` appended when it had none. */
export function spliceBlock(markdown: string, markers: BlockMarkers, block: string): string {
  const range = blockRange(markdown, markers);
  if (range) return markdown.slice(0, range[0]) + block + markdown.slice(range[1]);
  return `${markdown.replace(/\n*$/, '\n\n')}${block}`;
}
