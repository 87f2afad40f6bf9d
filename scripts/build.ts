/**
 * `npm run build`: bundles src/ into dist/ with esbuild (types are checked by `npm run typecheck`).
 * The CLI starts faster when Node reads a few files instead of ~30 modules of ours and theirs:
 * commander and chalk, which every run loads, are bundled in; what a run may not need (ESLint, the
 * bench engine, prompts, execa) stays in lazily imported chunks or in node_modules.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
// What the package declares stays a package import; devDependencies that src/ imports are bundled.
const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));

/**
 * commander requires node:child_process (and with it net and dgram) at load, for executable
 * subcommands, which we do not use: it gets that module on first use instead.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(join('node_modules', 'commander')) ? { path: 'child_process', namespace: 'lazy' } : undefined);
    builder.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      loader: 'js',
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
    }));
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    'cli/asyncsrv': 'src/cli/asyncsrv.ts',
    'cli/create-async-server': 'src/cli/create-async-server.ts',
    // The package's export `create-async-server/eslint-plugin`.
    'lint/plugin/index': 'src/lint/plugin/index.ts',
    // Run in other processes and threads, by path.
    'dev/standby': 'src/dev/standby.ts',
    'bench/engine/load-worker': 'src/bench/engine/load-worker.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: declared.flatMap((name) => [name, `${name}/*`]),
  // Bundled CommonJS (commander) calls require() for Node's modules: give ESM chunks one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyChildProcess],
});
writeFileSync(join(root, 'dist', 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses(result.metafile));

/** The licences of the packages bundled into dist/ (their MIT terms ask for the notice to travel with the code). */
function thirdPartyLicenses(metafile: Metafile): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  const sections = [...packages].sort().map((name) => {
    const dir = join(root, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license?: string };
    const licenseFile = ['LICENSE', 'license', 'LICENSE.md', 'license.md'].map((file) => join(dir, file)).find((file) => existsSync(file));
    const text = licenseFile ? readFileSync(licenseFile, 'utf8').trim() : `See the ${name} package.`;
    return `## ${name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`;
  });
  return `# Third-party code bundled in dist/\n\n${sections.join('\n')}`;
}
