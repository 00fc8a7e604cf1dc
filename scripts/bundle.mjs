// After `tsc -b`: bundles the packages a CGI program loads into one ES module file per entry point.
// Node 20's ES module loader pays for every file it resolves and reads, and a CGI program starts
// once per request: see docs/benchmarks.md. tsc still emits the per-file build and the types.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

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
    sourcemap: true,
    logLevel: 'warning',
  });
}
