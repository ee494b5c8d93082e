// Checks a packaged .vsix: it holds the extension, the engine, the webview and the engine's runtime
// packages, and the engine from inside the package starts, answers ping and loads its native runtime.
// Run: node --import tsx scripts/checkVsix.ts hearth.vsix
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess } from '../src/extension/engineProcess';
import { sendEngineRequest } from '../src/shared/engineRpc';

const required = [
  'package.json',
  'dist/extension.js',
  'dist/engine.js',
  'dist/parserWorker.js',
  'dist/decoderWorker.js',
  'media/webview.js',
  'media/chat.css',
  'media/hearth.svg',
  `dist/node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`,
  'dist/node_modules/onnxruntime-common/package.json',
  'dist/node_modules/web-tree-sitter/tree-sitter.wasm',
  'dist/node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-typescript.wasm',
];

export async function checkVsix(vsix: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-vsix-'));
  try {
    execFileSync('python3', ['-m', 'zipfile', '-e', vsix, dir]);
    const root = join(dir, 'extension');
    const missing = required.filter((path) => !existsSync(join(root, path)));
    if (missing.length > 0)
      throw new Error(`${vsix} lacks files the extension needs at run time:\n  ${missing.join('\n  ')}`);
    const { engine, info } = await EngineProcess.start({
      enginePath: join(root, 'dist', 'engine.js'),
      clientName: 'checkVsix',
      clientVersion: 'package-check',
      logLevel: 'warn',
      log: (line) => console.error(line),
    });
    try {
      const runtime = await sendEngineRequest(engine.connection, 'runtime/selfCheck', undefined);
      console.log(
        `${vsix}: ${required.length} required files present; packaged engine ${info.engineVersion} runs; ${JSON.stringify(runtime)}`,
      );
    } finally {
      await engine.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

checkVsix(process.argv[2] ?? 'hearth.vsix').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
