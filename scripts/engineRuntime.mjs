// Copies the packages the engine loads at run time but esbuild cannot bundle (native addons, wasm) into
// dist/node_modules, trimmed to this platform, so that the packaged extension (.vsix, built with
// --no-dependencies) carries exactly what dist/engine.js requires.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Package → the paths inside it the engine needs (package.json is always copied). */
function runtimeFiles(platform, arch) {
  return {
    'onnxruntime-node': ['dist', `bin/napi-v6/${platform}/${arch}`, 'LICENSE'],
    'onnxruntime-common': ['dist', 'LICENSE'],
    'web-tree-sitter': ['tree-sitter.cjs', 'tree-sitter.js', 'tree-sitter.wasm', 'LICENSE'],
    '@vscode/tree-sitter-wasm': ['wasm', 'LICENSE', 'LICENSE.txt'],
  };
}

/** The folder of an installed package (not every package exports its package.json). */
function packageDir(name) {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
  }
  throw new Error(`Cannot find the folder of ${name}.`);
}

/** Copies the runtime packages into `<outDir>/node_modules`; returns the package names copied. */
export function copyEngineRuntime(outDir, platform = process.platform, arch = process.arch) {
  const target = join(outDir, 'node_modules');
  rmSync(target, { recursive: true, force: true });
  const files = runtimeFiles(platform, arch);
  for (const [name, paths] of Object.entries(files)) {
    const from = packageDir(name);
    const to = join(target, name);
    mkdirSync(to, { recursive: true });
    cpSync(join(from, 'package.json'), join(to, 'package.json'));
    for (const path of paths) {
      if (existsSync(join(from, path))) cpSync(join(from, path), join(to, path), { recursive: true });
    }
  }
  return Object.keys(files);
}

/** The vsce `--target` of this machine, e.g. linux-x64. */
export function vsceTarget(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}
