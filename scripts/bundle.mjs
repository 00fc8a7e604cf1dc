// After `tsc -b`: bundles the packages a CGI program loads into one ES module file per entry point.
// Node 20's ES module loader pays for every file it resolves and reads, and a CGI program starts
// once per request: see docs/benchmarks.md. tsc still emits the per-file build and the types.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Node before 20.16 would fail with "process.getBuiltinModule is not a function": say what is wrong.
const REQUIRE_GET_BUILTIN_MODULE = "if (typeof process.getBuiltinModule !== 'function') throw new Error(`netcgi needs Node.js 20.16 or later (process.getBuiltinModule); this is ${process.version}`);\n";

/**
 * Node's built-in modules reach the bundles as `process.getBuiltinModule(…)` (Node 20.16+), not as
 * `import … from 'node:…'`: an ES module import of a built-in builds a facade that reads every
 * export, getters included, and `node:fs`'s getters load its streams and promises on the way (a
 * few ms of a CGI hello: docs/architecture.md, "Build"). Each built-in becomes a small module
 * exporting just the names the package imports from it, read from tsc's output. A dynamic
 * `import('node:…')` stays as it is: it runs when needed, not at start-up.
 */
function builtinsWithoutFacades(directory) {
  const names = new Map();
  for (const file of readdirSync(`${directory}/dist`, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js') && !name.startsWith('bundle'))) {
    for (const [, defaultName, named, namespace, path] of readFileSync(`${directory}/dist/${file}`, 'utf8').matchAll(/^import (?:(\w+)|\{([^}]*)\}|\* as (\w+)) from ['"](node:[^'"]+)['"];$/gm)) {
      if (namespace !== undefined) throw new Error(`${file}: import * from '${path}' would need every export of it: import the names`);
      const set = names.get(path) ?? names.set(path, new Set()).get(path);
      if (defaultName === undefined) for (const name of named.split(',')) set.add(name.trim().split(/\s+as\s+/)[0]);
    }
  }
  return {
    name: 'builtins-without-facades',
    setup(build) {
      build.onResolve({ filter: /^node:/ }, ({ path, kind }) => (kind === 'dynamic-import' ? { path, external: true } : { path, namespace: 'node-builtin' }));
      build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, ({ path }) => {
        const exported = [...(names.get(path) ?? [])].filter((name) => name !== '');
        return {
          contents: `${REQUIRE_GET_BUILTIN_MODULE}const builtin = process.getBuiltinModule(${JSON.stringify(path)});\nexport default builtin;\n${exported.length > 0 ? `export const { ${exported.join(', ')} } = builtin;\n` : ''}`,
          loader: 'js',
        };
      });
    },
  };
}

/** Entry points (tsc's output) of each bundled package; everything of another package stays external. */
const packages = {
  'packages/core': ['dist/index.js', 'dist/connector.js', 'dist/supervisor.js'],
  'packages/connector-cgi': ['dist/index.js'],
};

for (const [directory, entryPoints] of Object.entries(packages)) {
  // Chunk names carry a content hash: without this, old chunks would pile up and be published.
  rmSync(`${root}${directory}/dist/bundle`, { recursive: true, force: true });
  await build({
    absWorkingDir: `${root}${directory}`,
    entryPoints,
    outdir: 'dist/bundle',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies are loaded lazily by require (core's lazy.ts) or are other packages.
    external: ['busboy', 'cookie', '@netcgi/*'],
    plugins: [builtinsWithoutFacades(`${root}${directory}`)],
    sourcemap: true,
    logLevel: 'warning',
  });
}
