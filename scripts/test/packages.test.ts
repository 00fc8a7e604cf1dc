// Every package packs into a tarball that installs with plain npm outside the workspace, and serves.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, freePort, scratchDirectory, waitForListener } from '../../test-support/processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = ['core', 'connector-test', 'connector-http', 'connector-fcgi', 'connector-cgi', 'fetch'];

let directory: ReturnType<typeof scratchDirectory> | undefined;
let scratch = '';
let tarballs: string[] = [];

beforeAll(() => {
  directory = scratchDirectory('netcgi-packs');
  scratch = directory.path;
  for (const name of PACKAGES) {
    execFileSync('npx', ['--yes', 'pnpm@12.4.2', 'pack', '--pack-destination', scratch], { cwd: join(root, 'packages', name), stdio: 'ignore' });
  }
  tarballs = readdirSync(scratch).filter((file) => file.endsWith('.tgz')).map((file) => join(scratch, file));
}, 120_000);

afterAll(() => {
  directory?.remove();
});

function manifestOf(tarball: string): { name: string; dependencies?: Record<string, string>; files?: string[] } {
  return JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

describe('packed packages', () => {
  it('name their workspace dependencies by version, and ship their build, types, README and LICENSE', () => {
    expect(tarballs).toHaveLength(PACKAGES.length);
    for (const tarball of tarballs) {
      const manifest = manifestOf(tarball);
      expect(JSON.stringify(manifest), manifest.name).not.toContain('workspace:');
      const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      expect(files, manifest.name).toContain('package/dist/index.js');
      expect(files, manifest.name).toContain('package/dist/index.d.ts');
      expect(files, manifest.name).toContain('package/README.md');
      expect(files, manifest.name).toContain('package/LICENSE');
    }
  });

  it('declare no @internal member in their types', () => {
    for (const tarball of tarballs) {
      const declarations = execFileSync('tar', ['-xOzf', tarball, '--wildcards', 'package/dist/*.d.ts'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(declarations.includes('@internal'), manifestOf(tarball).name).toBe(false);
    }
  });

  it('no connector depends on another in production', () => {
    for (const tarball of tarballs) {
      const { name, dependencies = {} } = manifestOf(tarball);
      if (!name.includes('connector-')) continue;
      expect(Object.keys(dependencies).filter((dependency) => dependency.includes('connector-')), name).toEqual([]);
    }
  });

  it('install with plain npm in a fresh directory, type-check there, and serve an app', async () => {
    const project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }));
    writeFileSync(join(project, 'app.js'), "export default (cgi) => { cgi.setHeader({ contentType: 'text/plain' }); cgi.out.write(`Hello, ${cgi.argumentValue('name')}!`); };\n");
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.filter((tarball) => !tarball.includes('connector-test'))], { cwd: project, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    // Their types hold up for a project that checks libraries (skipLibCheck false): a member
    // stripped as @internal must not be named by one that is not.
    writeFileSync(join(project, 'check.ts'), [
      "import type { Cgi } from '@netcgi/core';",
      "import type { ResponseHead } from '@netcgi/core/connector';",
      "import type { HttpOptions } from '@netcgi/connector-http';",
      "import type { FcgiCgi } from '@netcgi/connector-fcgi';",
      "import type { CgiOptions } from '@netcgi/connector-cgi';",
      "import type { FetchHandler } from '@netcgi/fetch';",
      'export type Used = [Cgi, ResponseHead, HttpOptions, FcgiCgi, CgiOptions, FetchHandler];',
    ].join('\n'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
      files: ['check.ts'],
    }));
    const check = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const port = await freePort();
    const server = new Daemon(join(project, 'node_modules/.bin/netcgi-http'), ['app.js', '--listen', String(port)], { cwd: project });
    try {
      await waitForListener(port, server);
      expect(await (await fetch(`http://127.0.0.1:${port}/?name=npm`)).text()).toBe('Hello, npm!');
    } finally {
      await server.stop();
    }
  }, 120_000);
});
