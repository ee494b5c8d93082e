import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LANGUAGES } from '../../../src/engine/context/languages';
import { GrammarLoader } from '../../../src/engine/context/grammarLoader';
import { SymbolExtractor } from '../../../src/engine/context/symbolExtractor';

const grammars = new GrammarLoader();
const extractor = new SymbolExtractor(grammars);
after(() => extractor.dispose());

interface Case {
  languageId: string;
  source: string;
  /** `kind name line-endLine` per definition, in source order. */
  definitions: string[];
  /** Some names the file uses (must be among its references). */
  uses: string[];
  /** Names that must not count as references (its own definitions). */
  notUses?: string[];
}

const cases: Case[] = [
  {
    languageId: 'typescript',
    source: `import { Foo } from './foo';
export function greet(
  name: string,
): string {
  return name;
}
export const VERSION = 3;
const handler = async (x: number) => { return x; };
export class Greeter<T> extends Base implements Api {
  private count = 0;
  greet(other: Foo): void { this.helper(other); }
}
export interface Api { greet(o: Foo): void; name: string }
export type Alias = string | number;
enum Color { Red }
namespace NS { export function inner() {} }
abstract class Abs { abstract run(): void; }
declare function ambient(x: number): void;
`,
    definitions: [
      'function greet 2-4',
      'variable VERSION 7-7',
      'function handler 8-8',
      'class Greeter 9-9',
      'property count 10-10',
      'method greet 11-11',
      'interface Api 13-13',
      'method greet 13-13',
      'property name 13-13',
      'type Alias 14-14',
      'enum Color 15-15',
      'module NS 16-16',
      'function inner 16-16',
      'class Abs 17-17',
      'method run 17-17',
      'function ambient 18-18',
    ],
    uses: ['Foo', 'Base', 'Api', 'helper'],
    notUses: ['Greeter', 'VERSION', 'handler'],
  },
  {
    languageId: 'typescriptreact',
    source: 'export function App(): JSX.Element {\n  return <Button label="x" />;\n}\n',
    definitions: ['function App 1-1'],
    uses: ['Button'],
  },
  {
    languageId: 'javascript',
    source: `class Greeter extends Base {
  #secret = 1;
  greet(other) { return helper(other.name); }
}
function* ids() {}
module.exports.build = function () {};
var legacy = 1;
`,
    definitions: [
      'class Greeter 1-1',
      'method greet 3-3',
      'function ids 5-5',
      'function build 6-6',
      'variable legacy 7-7',
    ],
    uses: ['Base', 'helper', 'name'],
  },
  {
    languageId: 'python',
    source: `import os
class Greeter(Base):
    def greet(self, name: str) -> str:
        return helper(name)

    @staticmethod
    def make():
        pass
def top(a,
        b):
    pass
VERSION = 3
`,
    definitions: [
      'class Greeter 2-2',
      'method greet 3-3',
      'method make 7-7',
      'function top 9-10',
      'variable VERSION 12-12',
    ],
    uses: ['os', 'Base', 'helper', 'staticmethod'],
    notUses: ['top'],
  },
  {
    languageId: 'go',
    source: `package main
type Greeter struct {
	Name string
}
type Api interface { Greet(o Foo) }
type Alias = int
func (g *Greeter) Greet(o Foo) string { return helper(o.Name) }
func Top(a int) int { return a }
var Version = 3
const Max = 10
`,
    definitions: [
      'struct Greeter 2-2',
      'interface Api 5-5',
      'method Greet 5-5',
      'type Alias 6-6',
      'method Greet 7-7',
      'function Top 8-8',
      'variable Version 9-9',
      'constant Max 10-10',
    ],
    uses: ['Foo', 'helper', 'Name'],
  },
  {
    languageId: 'rust',
    source: `pub struct Greeter { name: String }
pub enum Color { Red }
pub trait Api { fn greet(&self, o: Foo); }
impl Api for Greeter {
    fn greet(&self, o: Foo) { helper(o.name); }
}
pub fn top(a: i32) -> i32 { a }
type Alias = i32;
const MAX: u32 = 10;
static NAME: &str = "x";
mod inner {}
macro_rules! my_macro { () => {} }
`,
    definitions: [
      'struct Greeter 1-1',
      'enum Color 2-2',
      'interface Api 3-3',
      'method greet 3-3',
      'impl Greeter 4-4',
      'method greet 5-5',
      'function top 7-7',
      'type Alias 8-8',
      'constant MAX 9-9',
      'variable NAME 10-10',
      'module inner 11-11',
      'macro my_macro 12-12',
    ],
    uses: ['Foo', 'Api', 'helper', 'String'],
  },
  {
    languageId: 'java',
    source: `package demo;
public class Greeter extends Base implements Api {
    private int count = 0;
    public Greeter(String name) { super(); }
    public String greet(Foo other) { return helper(other.name); }
}
interface Api { void greet(Foo o); }
enum Color { RED }
record Point(int x, int y) {}
`,
    definitions: [
      'class Greeter 2-2',
      'property count 3-3',
      'method Greeter 4-4',
      'method greet 5-5',
      'interface Api 7-7',
      'method greet 7-7',
      'enum Color 8-8',
      'class Point 9-9',
    ],
    uses: ['Base', 'Foo', 'helper', 'String'],
  },
  {
    languageId: 'csharp',
    source: `namespace Demo {
    public class Greeter : Base, IApi {
        public string Name { get; set; }
        public string Greet(Foo other) { return Helper(other.Name); }
    }
    interface IApi { void Greet(Foo o); }
    struct Point { public int X; }
    enum Color { Red }
    delegate void Handler(int x);
}
`,
    definitions: [
      'module Demo 1-1',
      'class Greeter 2-2',
      'property Name 3-3',
      'method Greet 4-4',
      'interface IApi 6-6',
      'method Greet 6-6',
      'struct Point 7-7',
      'enum Color 8-8',
      'type Handler 9-9',
    ],
    uses: ['Base', 'Foo', 'Helper'],
  },
  {
    languageId: 'cpp',
    source: `#define MAX 10
namespace demo {
class Greeter : public Base {
 public:
  Greeter(std::string name);
  std::string greet(Foo other) { return helper(other.name); }
};
struct Point { int x; };
typedef int Alias;
}
std::string demo::Greeter::describe(Foo o) const { return o.name; }
int top(int a) { return a; }
`,
    definitions: [
      'macro MAX 1-1',
      'module demo 2-2',
      'class Greeter 3-3',
      'method Greeter 5-5',
      'method greet 6-6',
      'struct Point 8-8',
      'type Alias 9-9',
      'method describe 11-11',
      'function top 12-12',
    ],
    uses: ['Base', 'Foo', 'helper', 'string'],
  },
  {
    languageId: 'c',
    source:
      'struct list { struct list *next; };\nint list_length(const struct list *head);\nstatic int *first(void) { return 0; }\nint counter = 0;\n',
    definitions: ['struct list 1-1', 'function list_length 2-2', 'function first 3-3', 'variable counter 4-4'],
    uses: ['next', 'head'],
  },
  {
    languageId: 'ruby',
    source: `module Demo
  class Greeter < Base
    VERSION = 3
    def greet(other)
      helper(other.name)
    end
    def self.build; end
  end
end
def top(a) = a
`,
    definitions: [
      'module Demo 1-1',
      'class Greeter 2-2',
      'constant VERSION 3-3',
      'method greet 4-4',
      'method build 7-7',
      'function top 10-10',
    ],
    uses: ['Base', 'helper', 'name'],
  },
  {
    languageId: 'php',
    source: `<?php
namespace Demo;
function top($a) { return helper($a); }
class Greeter extends Base implements Api {
    private $count = 0;
    public function greet(Foo $other): string { return $this->render($other->name); }
}
interface Api { public function greet(Foo $o): string; }
trait Loud { function shout() {} }
`,
    definitions: [
      'module Demo 2-2',
      'function top 3-3',
      'class Greeter 4-4',
      'property count 5-5',
      'method greet 6-6',
      'interface Api 8-8',
      'method greet 8-8',
      'interface Loud 9-9',
      'method shout 9-9',
    ],
    uses: ['helper', 'Base', 'Api', 'Foo', 'render', 'name'],
    notUses: ['a', 'other'],
  },
  {
    languageId: 'shellscript',
    source: 'build() {\n  make all\n}\nfunction deploy { build; }\n',
    definitions: ['function build 1-1', 'function deploy 4-4'],
    uses: ['make', 'build'],
  },
];

describe('SymbolExtractor', () => {
  for (const { languageId, source, definitions, uses, notUses } of cases) {
    it(`extracts ${languageId} definitions and references`, async () => {
      const symbols = await extractor.extract(source, languageId);
      assert.equal(symbols.outcome, 'structured');
      assert.deepEqual(
        symbols.definitions.map((d) => `${d.kind} ${d.name} ${d.line}-${d.endLine}`),
        definitions,
      );
      for (const name of uses) assert.ok(symbols.references.has(name), `${languageId} should reference ${name}`);
      for (const name of notUses ?? [])
        assert.ok(!symbols.references.has(name), `${languageId} should not reference ${name}`);
    });
  }

  it('compiles the queries of every structured language', async () => {
    const names = [...new Set(LANGUAGES.flatMap((l) => (l.grammar === undefined ? [] : [l.grammar])))];
    assert.equal(names.length, 12);
    for (const name of names) assert.equal((await grammars.load(name)).name, name);
  });

  it('renders an outline of signature lines with line numbers and elisions', async () => {
    const symbols = await extractor.extract(cases[0].source, 'typescript');
    assert.equal(
      symbols.outline.split('\n').slice(0, 8).join('\n'),
      [
        '⋮',
        '2│export function greet(',
        '3│  name: string,',
        '4│): string {',
        '⋮',
        '7│export const VERSION = 3;',
        '8│const handler = async (x: number) => { return x; };',
        '9│export class Greeter<T> extends Base implements Api {',
      ].join('\n'),
    );
    assert.ok(symbols.outline.endsWith('18│declare function ambient(x: number): void;\n'));
  });

  it('reads languages without a grammar as plain text, with search terms', async () => {
    const symbols = await extractor.extract('body { color: red; }\n', 'css');
    assert.deepEqual(
      { ...symbols, references: [...symbols.references], terms: [...symbols.terms] },
      {
        outcome: 'plain',
        definitions: [],
        references: [],
        outline: '',
        terms: [
          ['bodi', 1],
          ['color', 1],
          ['red', 1],
        ],
      },
    );
  });

  it('records where each definition ends, body included', async () => {
    const symbols = await extractor.extract(
      'class Cache {\n  get(key: string) {\n    return key;\n  }\n}\nconst limit = 3;\n',
      'typescript',
    );
    assert.deepEqual(
      symbols.definitions.map((d) => `${d.kind} ${d.name} ${d.line}-${d.endLine}-${d.lastLine}`),
      ['class Cache 1-1-5', 'method get 2-2-4', 'variable limit 6-6-6'],
    );
  });

  it('falls back to plain text when parsing runs out of time', async () => {
    const impatient = new SymbolExtractor(grammars, { parseTimeoutMs: 0 });
    const big = 'export function f() { return [1, 2, 3]; }\n'.repeat(20_000);
    const symbols = await impatient.extract(big, 'typescript');
    await impatient.dispose();
    assert.equal(symbols.outcome, 'failed');
    assert.equal(symbols.definitions.length, 0);
    // The shared parser recovers for the next file.
    assert.equal((await extractor.extract('export const a = 1;\n', 'typescript')).definitions.length, 1);
  });

  it('keeps definitions of a file with syntax errors', async () => {
    const symbols = await extractor.extract('export function ok() {}\nexport function broken( {\n', 'typescript');
    assert.equal(symbols.outcome, 'structured');
    assert.equal(symbols.definitions[0]?.name, 'ok');
  });
});
