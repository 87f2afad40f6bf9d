/** One folder of templates/ read into memory: `base`, `db-pglite`, `deploy`, ... */
export interface TemplateLayer {
  name: string;
  /** Paths are relative, with `/` separators, as stored in templates/ (before renaming). */
  files: ReadonlyMap<string, Buffer>;
  /** The README marker this layer's `README.section.md` fills, e.g. `dbSection`. */
  readmeSection?: string;
}

export interface TemplateValues {
  name: string;
  cliSpec: string;
  pmRun: string;
}

const SECTION_FILE = 'README.section.md';
/** A layer's list of paths (one a line, `#` comments) that earlier layers wrote and this one takes away. */
export const REMOVALS_FILE = 'template-removes.txt';
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/**
 * Lays the layers over each other into the final file list of a project: later layers replace
 * files (or take them away, see `REMOVALS_FILE`), `package.json` fragments deep-merge, `_name`
 * becomes `.name` (npm drops dotfiles on publish), placeholders are filled in package.json and
 * README.md only.
 */
export function composeProject(layers: readonly TemplateLayer[], values: TemplateValues): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const sections: Record<string, string> = {};
  let manifest: Record<string, unknown> = {};
  for (const layer of layers) {
    const removals = layer.files.get(REMOVALS_FILE);
    if (removals) removeFiles(files, listedPaths(removals.toString('utf8')), layer.name);
    for (const [path, content] of layer.files) {
      if (path === REMOVALS_FILE) continue;
      if (path === SECTION_FILE && layer.readmeSection) {
        sections[layer.readmeSection] = content.toString('utf8').trim();
      } else if (path === 'package.json') {
        const fragment = JSON.parse(fillPlaceholders(content.toString('utf8'), values, 'package.json')) as Record<string, unknown>;
        manifest = deepMerge(manifest, fragment);
      } else {
        files.set(renameTemplatePath(path), content);
      }
    }
  }
  files.set('package.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const readme = files.get('README.md');
  if (readme) {
    const withSections = readme
      .toString('utf8')
      .replace(/\{\{(\w+Section)\}\}\n?/g, (_, key: string) => (sections[key] ? `${sections[key]}\n` : ''));
    files.set('README.md', Buffer.from(fillPlaceholders(withSections, values, 'README.md')));
  }
  return files;
}

/** The paths of a removals file: one a line, blank lines and `#` comments skipped. */
export function listedPaths(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** Takes away each listed file (as named in templates/, before renaming); a path that matches nothing is a template bug. */
function removeFiles(files: Map<string, Buffer>, paths: string[], layer: string): void {
  for (const path of paths) {
    if (!files.delete(renameTemplatePath(path))) throw new Error(`Template layer ${layer} removes ${path}, which no earlier layer writes`);
  }
}

/** `_gitignore` → `.gitignore`, for every segment of the path. */
export function renameTemplatePath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith('_') ? `.${segment.slice(1)}` : segment))
    .join('/');
}

export function fillPlaceholders(text: string, values: TemplateValues, file: string): string {
  return text.replace(PLACEHOLDER, (_, key: string) => {
    if (!(key in values)) throw new Error(`Unknown placeholder {{${key}}} in template ${file}`);
    return values[key as keyof TemplateValues];
  });
}

/** Objects merge key by key; arrays and scalars from `overlay` replace those of `base`. */
export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
