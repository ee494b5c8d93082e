import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SymbolDefinition } from '../../../../src/engine/context/fileSymbols';
import { matchingDefinitions, renderExcerpt, renderHead } from '../../../../src/engine/context/retrieval/excerpt';
import { LexicalIndex } from '../../../../src/engine/context/retrieval/lexicalIndex';
import { questionTerms } from '../../../../src/engine/context/retrieval/searchTerms';

const content = [
  'export class Store {',
  '  /** Writes a record to disk. */',
  '  save(record: Row) {',
  '    return write(record);',
  '  }',
  '  load(id: string) {',
  '    return read(id);',
  '  }',
  '}',
  'export function retryDownload(url: string) {',
  '  // Retry a failed download three times.',
  '  return fetchWithRetry(url, 3);',
  '}',
  '',
].join('\n');
const definitions: SymbolDefinition[] = [
  { name: 'Store', kind: 'class', line: 1, endLine: 1, lastLine: 9 },
  { name: 'save', kind: 'method', line: 3, endLine: 3, lastLine: 5 },
  { name: 'load', kind: 'method', line: 6, endLine: 6, lastLine: 8 },
  { name: 'retryDownload', kind: 'function', line: 10, endLine: 10, lastLine: 13 },
];

function lexical(): LexicalIndex {
  const index = new LexicalIndex();
  index.set(
    'a.ts',
    new Map([
      ['retri', 2],
      ['download', 2],
      ['disk', 1],
    ]),
  );
  index.set('b.ts', new Map([['other', 1]]));
  return index;
}

describe('excerpt', () => {
  it('finds the definitions a question matches, best first, never one inside another', () => {
    const file = { content, definitions };
    assert.deepEqual(
      matchingDefinitions(file, questionTerms('where do we retry a failed download?'), lexical()).map((d) => d.name),
      ['retryDownload'],
    );
    // The method matches; its class, which holds the same words, is left out.
    assert.deepEqual(
      matchingDefinitions(file, questionTerms('how is a record written to disk'), lexical()).map((d) => d.name),
      ['save'],
    );
    assert.deepEqual(matchingDefinitions(file, [], lexical()), []);
  });

  it('shows matched definitions whole inside the outline, or alone when the outline does not fit', () => {
    assert.equal(
      renderExcerpt({ content, definitions }, [definitions[3]], 1000),
      '1│export class Store {\n⋮\n3│  save(record: Row) {\n⋮\n6│  load(id: string) {\n⋮\n' +
        '10│export function retryDownload(url: string) {\n11│  // Retry a failed download three times.\n12│  return fetchWithRetry(url, 3);\n13│}\n',
    );
    assert.equal(
      renderExcerpt({ content, definitions }, [definitions[1]], 20),
      '⋮\n3│  save(record: Row) {\n4│    return write(record);\n5│  }\n⋮\n',
    );
    assert.equal(renderExcerpt({ content, definitions }, [definitions[3]], 5), undefined);
  });

  it('keeps a function whole with what it nests, and its nested matches after it', () => {
    const nested = [
      'export function retryDownload(url: string) {',
      '  // Retry a failed download three times.',
      '  const retryAttempt = (n: number) => downloadWithRetry(url, n);',
      '  return retryAttempt(3);',
      '}',
      'export class Store {',
      '  download() {',
      '    return retryDownload(this.url);',
      '  }',
      '}',
      '',
    ].join('\n');
    const nestedDefinitions: SymbolDefinition[] = [
      { name: 'retryDownload', kind: 'function', line: 1, endLine: 1, lastLine: 5 },
      { name: 'retryAttempt', kind: 'function', line: 3, endLine: 3, lastLine: 3 },
      { name: 'Store', kind: 'class', line: 6, endLine: 6, lastLine: 10 },
      { name: 'download', kind: 'method', line: 7, endLine: 7, lastLine: 9 },
    ];
    const file = { content: nested, definitions: nestedDefinitions };
    // `Store` yields to its matching method; `retryAttempt` stays listed after the function that holds it.
    assert.deepEqual(
      matchingDefinitions(file, questionTerms('where do we retry a failed download?'), lexical()).map((d) => d.name),
      ['retryDownload', 'download', 'retryAttempt'],
    );
  });

  it('leaves definitions scoring under half the best match to the outline', () => {
    // `save` matches "disk" once in its doc comment, `retryDownload` "retry" and "download" twice each.
    assert.deepEqual(
      matchingDefinitions({ content, definitions }, questionTerms('retry download to disk'), lexical()).map(
        (d) => d.name,
      ),
      ['retryDownload'],
    );
  });

  it('with requireBest, shows nothing rather than lesser matches when the best does not fit', () => {
    const [, save, , retryDownload] = definitions;
    assert.equal(
      renderExcerpt({ content, definitions }, [retryDownload, save], 20, { outline: false }),
      '⋮\n3│  save(record: Row) {\n4│    return write(record);\n5│  }\n⋮\n',
    );
    assert.equal(
      renderExcerpt({ content, definitions }, [retryDownload, save], 20, { outline: false, requireBest: true }),
      undefined,
    );
  });

  it('shows the first lines of a long document', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    assert.equal(renderHead(text, 10), '1│line 0\n2│line 1\n⋮\n');
    assert.equal(renderHead('x'.repeat(500), 10), undefined);
  });
});
