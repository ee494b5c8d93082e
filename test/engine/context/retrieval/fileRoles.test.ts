import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compiledTwins, fileRole } from '../../../../src/engine/context/retrieval/fileRoles';

describe('fileRole', () => {
  it('tells documents, manifests, entry points, build configuration and code apart', () => {
    const roles = Object.fromEntries(
      [
        'README.md',
        'packages/core/Readme',
        'docs/index.md',
        'docs/conf.py',
        'package.json',
        'CMakeLists.txt',
        'pyproject.toml',
        'src/index.ts',
        'src/engine/deep/main.ts',
        'Makefile',
        'tsconfig.build.json',
        '.github/workflows/ci.yml',
        'src/packer.ts',
        'CONTRIBUTING.md',
        'requirements.txt',
      ].map((path) => [path, fileRole(path)]),
    );
    assert.deepEqual(roles, {
      'README.md': 'readme',
      'packages/core/Readme': 'readme',
      'docs/index.md': 'docs',
      'docs/conf.py': 'source',
      'package.json': 'manifest',
      'CMakeLists.txt': 'manifest',
      'pyproject.toml': 'manifest',
      'src/index.ts': 'entryPoint',
      'src/engine/deep/main.ts': 'source',
      Makefile: 'buildConfig',
      'tsconfig.build.json': 'buildConfig',
      '.github/workflows/ci.yml': 'buildConfig',
      'src/packer.ts': 'source',
      'CONTRIBUTING.md': 'docs',
      'requirements.txt': 'data',
    });
  });

  it('puts tests, examples, fixtures, generated and vendored files in their place', () => {
    const roles = [
      'test/packer.test.ts',
      'src/packer.spec.js',
      'tests/test_io.py',
      'lib/io_test.go',
      'examples/basic.ts',
      'test/fixtures/repo/a.ts',
      'src/__snapshots__/x.snap',
      'dist/bundle.js',
      'web/app.min.js',
      'api/service.pb.go',
      'third_party/zlib/inflate.c',
      'vendor/lib.rb',
      'package-lock.json',
      'data/cities.csv',
    ].map(fileRole);
    assert.deepEqual(roles, [
      'test',
      'test',
      'test',
      'test',
      'example',
      'fixture',
      'fixture',
      'generated',
      'generated',
      'generated',
      'vendored',
      'vendored',
      'data',
      'data',
    ]);
  });
});

describe('compiledTwins', () => {
  it('finds the JavaScript and declaration files built from a TypeScript source in the same package', () => {
    const twins = compiledTwins([
      'src/client.ts',
      'client.js',
      'client.mjs',
      'client.d.ts',
      'dist/core/error.js',
      'src/core/error.ts',
      'lib/standalone.js',
      'types.d.ts',
    ]);
    assert.deepEqual([...twins].sort(), ['client.d.ts', 'client.js', 'client.mjs', 'dist/core/error.js']);
  });
});
