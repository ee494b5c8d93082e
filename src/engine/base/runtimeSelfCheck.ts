import { createRequire } from 'node:module';
import type { RuntimeSelfCheckResult } from '../../shared/protocol';

// Resolved at run time next to dist/engine.js (dist/node_modules in the packaged extension).
const runtimeRequire = createRequire(__filename);

/**
 * Loads the engine's native and wasm runtime for real: onnxruntime-node's binding and a tree-sitter
 * grammar parsing a line. A package that lacks either fails here, not at the user's first question.
 */
export async function runtimeSelfCheck(): Promise<RuntimeSelfCheckResult> {
  const ort = runtimeRequire('onnxruntime-node') as typeof import('onnxruntime-node');
  const { Parser, Language } = runtimeRequire('web-tree-sitter') as typeof import('web-tree-sitter');
  await Parser.init();
  const grammar = 'tree-sitter-typescript.wasm';
  const language = await Language.load(runtimeRequire.resolve(`@vscode/tree-sitter-wasm/wasm/${grammar}`));
  const parser = new Parser();
  try {
    parser.setLanguage(language);
    const tree = parser.parse('const answer = 42;');
    return {
      onnxruntime: {
        version: ort.env.versions.node ?? 'unknown',
        backends: ort.listSupportedBackends().map((b) => b.name),
      },
      treeSitter: { grammar, parsedRootType: tree?.rootNode.type ?? 'none' },
    };
  } finally {
    parser.delete();
  }
}
