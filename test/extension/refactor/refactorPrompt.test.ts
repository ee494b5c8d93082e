import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  extractCodeBlock,
  REFACTOR_INSTRUCTIONS,
  refactorMessages,
  replacementCode,
} from '../../../src/extension/refactor/refactorPrompt';

describe('refactorMessages', () => {
  it('sends the repository block first, then the selection, its place and the instruction', () => {
    const messages = refactorMessages(
      'Repository: demo\n',
      { path: 'src/a.ts', startLine: 3, endLine: 4, languageId: 'typescript', text: 'let a = 1;\nlet b = 2;\n' },
      ' use const ',
    );
    assert.deepEqual(messages, [
      { role: 'system', content: `Repository: demo\n\n${REFACTOR_INSTRUCTIONS}` },
      {
        role: 'user',
        content:
          'File: src/a.ts, lines 3-4 selected:\n\n```typescript\nlet a = 1;\nlet b = 2;\n```\n\nChange: use const\n\nReply with the replacement for the selected code in one fenced code block.',
      },
    ]);
  });
});

describe('extractCodeBlock', () => {
  it('takes the first fenced block', () => {
    assert.equal(extractCodeBlock('Here:\n```ts\nconst a = 1;\n```\nand\n```\nother\n```'), 'const a = 1;\n');
    assert.equal(extractCodeBlock('~~~python\nx = 1\n~~~\n'), 'x = 1\n');
  });

  it('matches the closing fence to the opening one', () => {
    assert.equal(extractCodeBlock('````md\n```js\nx\n```\n````'), '```js\nx\n```\n');
  });

  it('runs a block the answer ends inside to the end', () => {
    assert.equal(extractCodeBlock('```ts\nconst a =\n'), 'const a =\n');
  });

  it('finds none in plain text', () => {
    assert.equal(extractCodeBlock('no code here'), undefined);
  });
});

describe('replacementCode', () => {
  it('falls back to the whole answer when the model ignored the fence, and to nothing when it said nothing', () => {
    assert.equal(replacementCode('```\nx\n```'), 'x\n');
    assert.equal(replacementCode('  const a = 1;  \n'), 'const a = 1;');
    assert.equal(replacementCode(' \n '), undefined);
    assert.equal(replacementCode('```ts\n\n```'), undefined);
  });
});
