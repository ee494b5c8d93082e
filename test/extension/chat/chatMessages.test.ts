import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHAT_INSTRUCTIONS,
  chatMessages,
  fenceCode,
  repositorySystemMessage,
  userMessage,
} from '../../../src/extension/chat/chatMessages';

const block = 'Repository: demo\n\nsrc/a.ts\n```ts\nexport const a = 1;\n```\n\n(Repository context: 1 file whole.)\n';

describe('chat messages', () => {
  it('puts the repository block first in the system message, then the instructions', () => {
    assert.deepEqual(repositorySystemMessage(block, 'Be brief.'), {
      role: 'system',
      content:
        'Repository: demo\n\nsrc/a.ts\n```ts\nexport const a = 1;\n```\n\n(Repository context: 1 file whole.)\n\nBe brief.',
    });
    assert.deepEqual(repositorySystemMessage('', 'Be brief.'), { role: 'system', content: 'Be brief.' });
  });

  it('quotes the selection with its path and lines, notes, then the question', () => {
    const text = userMessage({
      question: 'What does #selection do? See @src/x.ts',
      selection: {
        path: 'src/a.ts',
        startLine: 3,
        endLine: 5,
        languageId: 'typescript',
        text: 'const a = 1;\nconst b = 2;\nconst c = 3;',
      },
      notes: ['@src/x.ts matches no file in the workspace.'],
    });
    assert.equal(
      text,
      'Selected code (src/a.ts, lines 3-5):\n```typescript\nconst a = 1;\nconst b = 2;\nconst c = 3;\n```\n\n(Note: @src/x.ts matches no file in the workspace.)\n\nWhat does #selection do? See @src/x.ts',
    );
    assert.equal(userMessage({ question: 'Hi' }), 'Hi');
  });

  it('fences code longer than any backtick run inside it', () => {
    assert.equal(fenceCode('a ```` b\n', 'md'), '`````md\na ```` b\n`````');
  });

  it('assembles system, earlier turns as sent (answers without reasoning), then the new question', () => {
    const system = repositorySystemMessage(block, CHAT_INSTRUCTIONS);
    const messages = chatMessages(
      system,
      [
        { question: 'Q1', prompt: 'Selected code…\n\nQ1', answer: 'A1' },
        { question: 'Q2 (failed before answering)', answer: '' },
        { question: 'Q3', answer: 'A3 partial' },
      ],
      'Q4',
    );
    assert.deepEqual(messages, [
      system,
      { role: 'user', content: 'Selected code…\n\nQ1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q3' },
      { role: 'assistant', content: 'A3 partial' },
      { role: 'user', content: 'Q4' },
    ]);
  });

  it('keeps the system message byte-identical between turns', () => {
    const first = chatMessages(repositorySystemMessage(block, CHAT_INSTRUCTIONS), [], 'Q1');
    const second = chatMessages(
      repositorySystemMessage(block, CHAT_INSTRUCTIONS),
      [{ question: 'Q1', answer: 'A1' }],
      'Q2',
    );
    assert.equal(second[0]?.content, first[0]?.content);
    assert.ok(second[0]?.content.startsWith('Repository: demo'));
  });
});
