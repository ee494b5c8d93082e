import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addTextTerms, identifierParts, questionTerms } from '../../../../src/engine/context/retrieval/searchTerms';

describe('searchTerms', () => {
  it('splits identifiers at camelCase, acronyms, snake_case, kebab-case and digits', () => {
    assert.deepEqual(identifierParts('parseHTTPResponse2'), ['parse', 'HTTP', 'Response', '2']);
    assert.deepEqual(identifierParts('max_file_bytes'), ['max', 'file', 'bytes']);
    assert.deepEqual(identifierParts('ngram-cache'), ['ngram', 'cache']);
    assert.deepEqual(identifierParts('XMLHttpRequest'), ['XML', 'Http', 'Request']);
    assert.deepEqual(identifierParts('utf8Decoder'), ['utf', '8', 'Decoder']);
  });

  it('lowercases and stems, so a question meets the identifiers that name its subject', () => {
    assert.deepEqual(questionTerms('How does debouncing work?'), ['debounc', 'work']);
    assert.deepEqual(
      [...addTextTerms('class EditDebouncer { debounce() {} }')],
      [
        ['class', 1],
        ['edit', 1],
        ['debounc', 2],
      ],
    );
  });

  it('drops stop words, single characters, numbers and over-long runs', () => {
    const long = 'a'.repeat(41);
    assert.deepEqual([...addTextTerms(`the x of 42 and ${long} if return value`)], [['valu', 1]]);
  });

  it('counts each occurrence with the given weight', () => {
    const bag = addTextTerms('readFile(path)', new Map([['path', 1]]), 3);
    assert.deepEqual(
      [...bag],
      [
        ['path', 4],
        ['read', 3],
        ['file', 3],
      ],
    );
  });
});
