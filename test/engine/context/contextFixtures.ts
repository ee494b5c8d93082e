import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenCounter } from '../../../src/engine/context/tokenCountCache';

/** About 3.5 characters per token, like the Qwen tokenizer on code; rounds up, so it never under-counts a piece. */
export const approximateCounter: TokenCounter = { count: (text) => Math.ceil(text.length / 3.5) };

/** Temporary folders for one test file; `cleanup` removes them all (call it in `after`). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'hearth-context-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** A folder holding `files` (path → contents; folders are created as needed). */
  tree(files: Readonly<Record<string, string | Uint8Array>>): string {
    const root = this.make();
    writeTree(root, files);
    return root;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function writeTree(root: string, files: Readonly<Record<string, string | Uint8Array>>): void {
  for (const [path, contents] of Object.entries(files)) {
    const absolute = join(root, ...path.split('/'));
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, contents);
  }
}

/** A small TypeScript project: main uses service, service uses store and format; legacy and notes stand alone. */
export const SMALL_PROJECT: Readonly<Record<string, string>> = {
  'src/main.ts':
    "import { OrderService } from './service';\nconst service = new OrderService();\nservice.placeOrder('book');\n",
  'src/service.ts':
    "import { OrderStore } from './store';\nimport { formatReceipt } from './format';\n\nexport class OrderService {\n  private readonly store = new OrderStore();\n\n  placeOrder(item: string): string {\n    this.store.saveOrder(item);\n    return formatReceipt(item);\n  }\n}\n",
  'src/store.ts': 'export class OrderStore {\n  saveOrder(item: string): void {\n    console.log(item);\n  }\n}\n',
  'src/format.ts': 'export function formatReceipt(item: string): string {\n  return `receipt: ${item}`;\n}\n',
  'src/legacy.ts': 'export function legacyReport(): string {\n  return "old";\n}\n\nexport const LEGACY_FLAG = true;\n',
  'docs/notes.md': '# Notes\n\nNothing to see.\n',
};

/** One file per grammar family, plain text, and a file with syntax errors: for comparing parsers. */
export const POLYGLOT_PROJECT: Readonly<Record<string, string>> = {
  ...SMALL_PROJECT,
  'web/app.tsx':
    'import { Button } from "./button";\nexport function App(): JSX.Element {\n  return <Button label="x" />;\n}\n',
  'web/button.js':
    'export class Button {\n  constructor(label) { this.label = label; }\n  render() { return this.label; }\n}\n',
  'tools/report.py':
    'import os\n\nclass Report:\n    def render(self, rows):\n        return os.linesep.join(rows)\n\ndef main():\n    Report().render([])\n',
  'cmd/server.go':
    'package main\n\ntype Server struct{ port int }\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n\nfunc main() {\n\t(&Server{}).Start()\n}\n',
  'core/lib.rs':
    'pub struct Cache { size: usize }\n\nimpl Cache {\n    pub fn new(size: usize) -> Self {\n        Cache { size }\n    }\n}\n',
  'java/Shop.java':
    'public class Shop {\n  private int count;\n  public void sell(Item item) {\n    count++;\n  }\n}\n',
  'native/buffer.c': '#include "buffer.h"\n\nint buffer_size(struct buffer *b) {\n  return b->size;\n}\n',
  'scripts/deploy.rb': 'module Deploy\n  class Runner\n    def run(target)\n      puts target\n    end\n  end\nend\n',
  'scripts/build.sh': 'build() {\n  make all\n}\nbuild\n',
  'src/broken.ts': 'export function ok() {}\nexport function broken( {\n',
  'config/settings.json': '{ "port": 8080 }\n',
};

/** Contents that make crashingParserWorker.ts end its thread. */
export const PARSER_CRASH_MARKER = '/* hearth-test: crash the parser thread */';
