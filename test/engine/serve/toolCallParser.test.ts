/**
 * The tool-call parser on Qwen3 outputs (the shape the real Qwen3 chat template asks for, as Qwen3-4B writes it),
 * whole and streamed in every chunking that splits a tag, the header or the arguments.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolCallParser, type ParsedToolCalls, type ToolCallEvent } from '../../../src/engine/serve/toolCallParser';
import { ChatTemplate } from '../../../src/engine/text/chatTemplate';
import { QWEN3_TOKENIZER_DIR } from '../text/qwen3TokenizerFixture';

/** Recorded answers of Qwen3-4B with the Qwen3 template's tool prompt, and what they hold. */
const RECORDED: { name: string; output: string; expected: ParsedToolCalls }[] = [
  {
    name: 'one call',
    output: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}\n</tool_call>',
    expected: {
      content: '',
      toolCalls: [{ name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' }],
    },
  },
  {
    name: 'text, then two calls with nested arguments',
    output:
      'I will look both up.\n\n<tool_call>\n{"name": "search", "arguments": {"query": "a } b", "filters": {"lang": ["ts"]}}}\n</tool_call>\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/main.ts"}}\n</tool_call>',
    expected: {
      content: 'I will look both up.\n\n',
      toolCalls: [
        { name: 'search', arguments: '{"query": "a } b", "filters": {"lang": ["ts"]}}' },
        { name: 'read_file', arguments: '{"path": "src/main.ts"}' },
      ],
    },
  },
  {
    name: 'a call without arguments',
    output: '<tool_call>\n{"name": "list_files", "arguments": {}}\n</tool_call>',
    expected: { content: '', toolCalls: [{ name: 'list_files', arguments: '{}' }] },
  },
  {
    name: 'arguments as a JSON string, fields in another order',
    output: '<tool_call>\n{"arguments": "{\\"x\\": 1}", "name": "f"}\n</tool_call>',
    expected: { content: '', toolCalls: [{ name: 'f', arguments: '{"x": 1}' }] },
  },
  {
    name: 'a call that is not JSON stays content',
    output: 'Sure. <tool_call>\nget_weather(Paris)\n</tool_call>',
    expected: { content: 'Sure. <tool_call>\nget_weather(Paris)\n</tool_call>', toolCalls: [] },
  },
  {
    name: 'no call: text that looks like a tag start',
    output: 'Use a <tool or a <tool_cal> here; x < y.',
    expected: { content: 'Use a <tool or a <tool_cal> here; x < y.', toolCalls: [] },
  },
];

function collect(events: ToolCallEvent[]): ParsedToolCalls {
  const result: ParsedToolCalls = { content: '', toolCalls: [] };
  for (const event of events) {
    if (event.kind === 'content') result.content += event.text;
    else if (event.kind === 'call') {
      assert.equal(event.index, result.toolCalls.length, 'calls start in index order');
      result.toolCalls.push({ name: event.name, arguments: '' });
    } else result.toolCalls[event.index].arguments += event.text;
  }
  return result;
}

function streamed(chunks: string[]): ToolCallEvent[] {
  const parser = new ToolCallParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe('ToolCallParser', () => {
  for (const { name, output, expected } of RECORDED) {
    it(`parses ${name}, whole and in every two- and three-piece chunking`, () => {
      assert.deepEqual(ToolCallParser.parse(output), expected);
      for (let cut = 0; cut <= output.length; cut++) {
        assert.deepEqual(collect(streamed([output.slice(0, cut), output.slice(cut)])), expected, `cut at ${cut}`);
      }
      for (let first = 1; first < output.length; first += 3) {
        for (let second = first; second < output.length; second += 5) {
          const chunks = [output.slice(0, first), output.slice(first, second), output.slice(second)];
          assert.deepEqual(collect(streamed(chunks)), expected, `cuts at ${first}, ${second}`);
        }
      }
      assert.deepEqual(collect(streamed([...output])), expected, 'one character at a time');
    });
  }

  it('streams a call as OpenAI does: the name first, then the arguments as they come, never the closing brace', () => {
    const parser = new ToolCallParser();
    assert.deepEqual(parser.push('Checking.<tool_'), [{ kind: 'content', text: 'Checking.' }]);
    assert.deepEqual(parser.push('call>\n{"name": "get_weather", '), []);
    assert.deepEqual(parser.push('"arguments": {"city": "Pa'), [
      { kind: 'call', index: 0, name: 'get_weather' },
      { kind: 'arguments', index: 0, text: '{"city": "Pa' },
    ]);
    assert.deepEqual(parser.push('ris"}'), [{ kind: 'arguments', index: 0, text: 'ris"' }]);
    assert.deepEqual(parser.push('}\n</tool'), [{ kind: 'arguments', index: 0, text: '}' }]);
    assert.deepEqual(parser.push('_call>'), []);
    assert.deepEqual(parser.end(), []);
    assert.equal(parser.callCount, 1);
  });

  it('passes on what a cut-off call had when the output ends inside it', () => {
    assert.deepEqual(collect(streamed(['<tool_call>\n{"name": "f", "arguments": {"a": 1'])), {
      content: '',
      toolCalls: [{ name: 'f', arguments: '{"a": 1' }],
    });
    assert.deepEqual(collect(streamed(['<tool_call>\n{"na'])), { content: '<tool_call>\n{"na', toolCalls: [] });
  });

  it('reads the call shape the engine renders through the real Qwen3 template back into the same call', () => {
    const template = ChatTemplate.load(QWEN3_TOKENIZER_DIR);
    const call = { name: 'get_weather', arguments: '{"city": "Paris"}' };
    const rendered = template.render(
      [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', toolCalls: [call] },
      ],
      { addGenerationPrompt: false, enableThinking: false },
    );
    const turn = rendered.slice(rendered.lastIndexOf('<|im_start|>assistant\n') + '<|im_start|>assistant\n'.length);
    const answer = turn.slice(turn.indexOf('</think>\n\n') + '</think>\n\n'.length, turn.indexOf('<|im_end|>'));
    assert.deepEqual(ToolCallParser.parse(answer), { content: '', toolCalls: [call] });
  });
});
