import { relative, sep } from 'node:path';
import { watch } from 'chokidar';

export interface FileWatcher {
  close(): Promise<void>;
}

const IGNORED_SEGMENTS = new Set(['node_modules', 'dist', '.data', '.git', 'coverage']);

/**
 * Watches `paths` and calls `onChange` with the changed files (relative to `root`), coalescing
 * bursts of events within `debounceMs` (an editor's save often writes several times).
 */
export function watchFiles(root: string, paths: string[], debounceMs: number, onChange: (files: string[]) => void): FileWatcher {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(paths, {
    ignoreInitial: true,
    ignored: (path) =>
      relative(root, path)
        .split(sep)
        .some((segment) => IGNORED_SEGMENTS.has(segment)),
  });
  watcher.on('all', (_event, path) => {
    pending.add(relative(root, path));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending];
      pending.clear();
      onChange(files);
    }, debounceMs);
  });
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
