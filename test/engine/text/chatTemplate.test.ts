import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { ChatTemplate, withoutReasoning, type ChatMessage } from '../../../src/engine/text/chatTemplate';
import { assertCheckpointError, makeTempDir } from '../checkpoint/checkpointFixtures';
import { INSTRUCT_2507_TEMPLATE, THINKING_2507_TEMPLATE, tokenizerConfigWith } from './qwen3TemplateFixtures';
import { QWEN3_TOKENIZER_DIR } from './qwen3TokenizerFixture';

const THINK = { addGenerationPrompt: true, enableThinking: true };
const NO_THINK = { addGenerationPrompt: true, enableThinking: false };

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are Hearth, a coding assistant.' },
  { role: 'user', content: 'What does main.ts do?' },
  { role: 'assistant', content: '<think>\nThe user asks about main.ts.\n</think>\n\nIt starts the engine.' },
  { role: 'user', content: 'And engineServer.ts?' },
];
const HISTORY =
  '<|im_start|>system\nYou are Hearth, a coding assistant.<|im_end|>\n' +
  '<|im_start|>user\nWhat does main.ts do?<|im_end|>\n' +
  '<|im_start|>assistant\nIt starts the engine.<|im_end|>\n' +
  '<|im_start|>user\nAnd engineServer.ts?<|im_end|>\n';

function assertInvalidParams(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.kind, 'InvalidParams');
    assert.match(error.message, message);
    assert.ok(error.hint !== undefined && error.hint.length > 0);
    return true;
  });
}

describe('ChatTemplate with the real Qwen3 (hybrid) template', () => {
  const template = ChatTemplate.load(QWEN3_TOKENIZER_DIR);

  it('is detected as hybrid', () => assert.equal(template.kind, 'hybrid'));

  it('renders one user turn with thinking on (the model opens <think> itself) and off (an empty think block)', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
    assert.equal(template.render(messages, THINK), '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    assert.equal(
      template.render(messages, NO_THINK),
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
    assert.equal(
      template.render(messages, { addGenerationPrompt: false, enableThinking: true }),
      '<|im_start|>user\nHi<|im_end|>\n',
    );
  });

  it('renders a system prompt and several turns, without the earlier reasoning', () => {
    assert.equal(template.render(conversation, THINK), `${HISTORY}<|im_start|>assistant\n`);
    assert.equal(template.render(conversation, NO_THINK), `${HISTORY}<|im_start|>assistant\n<think>\n\n</think>\n\n`);
  });

  it('keeps a soft switch in the user text, where the model was trained to see it', () => {
    const rendered = template.render([{ role: 'user', content: 'Rename it /no_think' }], THINK);
    assert.equal(rendered, '<|im_start|>user\nRename it /no_think<|im_end|>\n<|im_start|>assistant\n');
  });

  it('renders a final assistant turn with the empty think block the template gives turns after the last query', () => {
    const rendered = template.render(conversation.slice(0, 3), { addGenerationPrompt: false, enableThinking: true });
    assert.equal(
      rendered,
      '<|im_start|>system\nYou are Hearth, a coding assistant.<|im_end|>\n<|im_start|>user\nWhat does main.ts do?<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\n\n</think>\n\nIt starts the engine.<|im_end|>\n',
    );
  });

  it('rejects malformed conversations with InvalidParams', () => {
    assertInvalidParams(() => template.render([], THINK), /no messages/);
    assertInvalidParams(
      () => template.render([{ role: 'function', content: 'x' } as unknown as ChatMessage], THINK),
      /messages\[0\]\.role is "function"/,
    );
    assertInvalidParams(
      () => template.render([{ role: 'user', content: 42 } as unknown as ChatMessage], THINK),
      /messages\[0\]\.content is not a string/,
    );
  });
});

describe('ChatTemplate with the 2507 templates', () => {
  const instruct = ChatTemplate.fromTokenizerConfig(
    tokenizerConfigWith(INSTRUCT_2507_TEMPLATE),
    'tokenizer_config.json',
  );
  const thinking = ChatTemplate.fromTokenizerConfig(
    tokenizerConfigWith(THINKING_2507_TEMPLATE),
    'tokenizer_config.json',
  );

  it('detects Instruct-2507 (never thinks) and Thinking-2507 (always thinks)', () => {
    assert.equal(instruct.kind, 'instruct-2507');
    assert.equal(thinking.kind, 'thinking-2507');
  });

  it('renders Instruct-2507 with no think block whatever enable_thinking says', () => {
    assert.equal(instruct.render(conversation, THINK), `${HISTORY}<|im_start|>assistant\n`);
    assert.equal(instruct.render(conversation, NO_THINK), `${HISTORY}<|im_start|>assistant\n`);
  });

  it('renders Thinking-2507 with the think block already open, and no earlier reasoning', () => {
    assert.equal(thinking.render(conversation, THINK), `${HISTORY}<|im_start|>assistant\n<think>\n`);
  });
});

describe('ChatTemplate loading', () => {
  const temp = makeTempDir('hearth-template-');
  after(() => temp.remove());

  it('passes the special-token names that templates such as Llama 3 start with', () => {
    const config = {
      bos_token: { content: '<|begin_of_text|>', special: true },
      eos_token: '<|eot_id|>',
      chat_template: '{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}',
    };
    const template = ChatTemplate.fromTokenizerConfig(config, 'tokenizer_config.json');
    assert.equal(template.render([{ role: 'user', content: 'Hi' }], THINK), '<|begin_of_text|>Hi<|eot_id|>');
    assert.equal(template.kind, 'instruct-2507');
  });

  it('reads chat_template.jinja when tokenizer_config.json holds no template, and the default of a named list', () => {
    const dir = join(temp.dir, 'separate');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|im_end|>' }));
    writeFileSync(join(dir, 'chat_template.jinja'), THINKING_2507_TEMPLATE);
    assert.equal(ChatTemplate.load(dir).kind, 'thinking-2507');

    const named = {
      chat_template: [
        { name: 'tool_use', template: 'x' },
        { name: 'default', template: INSTRUCT_2507_TEMPLATE },
      ],
    };
    assert.equal(ChatTemplate.fromTokenizerConfig(named, 'tokenizer_config.json').source, INSTRUCT_2507_TEMPLATE);
  });

  it('reports a missing, unparsable or failing template as CheckpointInvalid', () => {
    const dir = join(temp.dir, 'base-model');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|endoftext|>' }));
    assertCheckpointError(() => ChatTemplate.load(dir), {
      kind: 'CheckpointInvalid',
      file: 'tokenizer_config.json',
      field: 'chat_template',
      message: /not a chat model/,
    });
    assertCheckpointError(() => ChatTemplate.load(join(temp.dir, 'nowhere')), {
      kind: 'CheckpointInvalid',
      file: 'tokenizer_config.json',
      message: /is missing/,
    });
    assertCheckpointError(
      () => ChatTemplate.fromTokenizerConfig({ chat_template: '{% if messages %}' }, 'tokenizer_config.json'),
      {
        kind: 'CheckpointInvalid',
        file: 'tokenizer_config.json',
        field: 'chat_template',
        message: /does not parse/,
      },
    );
    assertCheckpointError(
      () =>
        ChatTemplate.fromTokenizerConfig(
          { chat_template: '{{ messages[0].content.nope() }}' },
          'tokenizer_config.json',
        ),
      {
        kind: 'CheckpointInvalid',
        file: 'tokenizer_config.json',
        field: 'chat_template',
        message: /fails on a one-turn conversation/,
      },
    );
  });

  it('turns the template rejecting a conversation into InvalidParams', () => {
    const strict = ChatTemplate.fromTokenizerConfig(
      {
        chat_template:
          "{% if messages[0].role == 'assistant' %}{{ raise_exception('Conversations must start with the user') }}{% endif %}ok",
      },
      'tokenizer_config.json',
    );
    assertInvalidParams(
      () => strict.render([{ role: 'assistant', content: 'Hi' }], THINK),
      /rejected the conversation: Conversations must start with the user/,
    );
  });
});

describe('withoutReasoning', () => {
  it('keeps what follows the last </think>, as the Qwen3 template splits it', () => {
    assert.equal(withoutReasoning('<think>\nplan\n</think>\n\nanswer'), 'answer');
    assert.equal(withoutReasoning('plan only</think>answer'), 'answer');
    assert.equal(withoutReasoning('no reasoning at all'), 'no reasoning at all');
    assert.equal(withoutReasoning('<think>a</think>b</think>\nc'), 'c');
  });
});
