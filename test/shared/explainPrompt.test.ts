import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EXPLAIN_CONTEXT_FORMAT,
  EXPLAIN_REQUEST,
  EXPLAIN_SECTIONS,
  explainMessages,
  repositoryQuestionMessages,
} from '../../src/shared/explainPrompt';

const BLOCK = 'Repository: demo\n\nsrc/main.ts\n```ts\nmain();\n```\n\n';

describe('explainPrompt', () => {
  it('opens the system message with the repository block and asks for the explanation in the user turn', () => {
    const [system, user] = explainMessages(BLOCK);
    assert.equal(system.role, 'system');
    assert.ok(system.content.startsWith(`${BLOCK.trimEnd()}\n\nYou are Hearth`), system.content);
    assert.deepEqual(user, { role: 'user', content: EXPLAIN_REQUEST });
    assert.equal(EXPLAIN_CONTEXT_FORMAT, 'markdown');
  });

  it('leaves the block out when there is none (no folder open)', () => {
    const [system] = explainMessages('');
    assert.ok(system.content.startsWith('You are Hearth'), system.content);
  });

  it('asks for every section, in order', () => {
    assert.deepEqual(
      [...EXPLAIN_SECTIONS],
      ['Purpose', 'Architecture', 'Main modules and data flow', 'Entry points', 'Build and test'],
    );
    const positions = EXPLAIN_SECTIONS.map((section) => EXPLAIN_REQUEST.indexOf(`- ${section}: `));
    assert.ok(
      positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1])),
      String(positions),
    );
  });

  it('keeps the system message the same for follow-up questions, so they reuse the prefix cache', () => {
    const [explainSystem] = explainMessages(BLOCK);
    const [followUpSystem, followUp] = repositoryQuestionMessages(BLOCK, 'Where is main?');
    assert.deepEqual(followUpSystem, explainSystem);
    assert.deepEqual(followUp, { role: 'user', content: 'Where is main?' });
  });
});
