/**
 * `npm run build`: bundles src/ into dist/ with esbuild (types are checked by `npm run typecheck`).
 *
 * Two builds, so that a run reads few files and Node 20 (no compile cache) starts quickly:
 * - the start-up path (bins, commander, the command definitions, flag parsing) is one CommonJS
 *   file per CLI, which Node loads without starting its ES module loader; `--help` reads nothing else;
 * - the features each command imports lazily (`await import('../dev/index.js')`) are an ES module
 *   build with shared chunks, at the same relative paths as in src/, so those imports resolve.
 * Modules in both (flag parsers, errors) are duplicated, so nothing may depend on their identity:
 * `isUserError` checks a brand, not `instanceof`; chalk is configured through util/colors.ts, an entry
 * of the second build.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
// What the package declares stays a package import; devDependencies that src/ imports are bundled.
const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));
const external = declared.flatMap((name) => [name, `${name}/*`]);

/** Our modules the start-up files import lazily: they stay imports, and become entries of the feature build. */
const lazyModules = new Set<string>();
const keepLazyImports: Plugin = {
  name: 'keep-lazy-imports',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const source = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      lazyModules.add(relative(join(root, 'src'), source));
      // Written relative to the output file (dist/cli/), wherever the importing module sits in src/.
      const fromOutput = relative(join(root, 'src', 'cli'), source)
        .replace(/\.ts$/, '.js')
        .split(sep)
        .join('/');
      return { path: fromOutput.startsWith('.') ? fromOutput : `./${fromOutput}`, external: true };
    });
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'dynamic-import')
        throw new Error(`${args.importer}: a lazy import from the start-up path must be one of our modules (got ${args.path}).`);
      return undefined;
    });
  },
};

/**
 * commander requires node:child_process (and with it net and dgram) at load, for executable
 * subcommands, which we do not use: it gets that module on first use instead.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(join('node_modules', 'commander')) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      loader: 'js',
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
    }));
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  external,
  metafile: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
} as const;

const startup = await build({
  ...common,
  entryPoints: { 'cli/asyncsrv': 'src/cli/asyncsrv.ts', 'cli/create-async-server': 'src/cli/create-async-server.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // package-info.ts finds the package from its own URL.
  define: { 'import.meta.url': '__moduleUrl' },
  banner: { js: "const __moduleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [keepLazyImports, lazyChildProcess],
});

const features = await build({
  ...common,
  entryPoints: {
    ...Object.fromEntries([...lazyModules].map((module) => [module.replace(/\.ts$/, ''), join('src', module)])),
    // The package's export `create-async-server/eslint-plugin`.
    'lint/plugin/index': 'src/lint/plugin/index.ts',
    // Run in other processes and threads, by path.
    'dev/standby': 'src/dev/standby.ts',
    'bench/engine/load-worker': 'src/bench/engine/load-worker.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  // For CommonJS code bundled here one day: esbuild's require() shim needs a real require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

writeFileSync(join(root, 'dist', 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses([startup.metafile, features.metafile]));

/** The licences of the packages bundled into dist/ (their MIT terms ask for the notice to travel with the code). */
function thirdPartyLicenses(metafiles: Metafile[]): string {
  const packages = new Set<string>();
  for (const input of metafiles.flatMap((metafile) => Object.keys(metafile.inputs))) {
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
