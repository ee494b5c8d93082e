// Throughput of the text side, for the numbers in reviews and docs (not a test: timings vary by machine).
//   node --import tsx test/engine/text/textBenchmarks.ts [FILE]
// FILE defaults to TypeScript's own typescript.js (several MB of real source).
import { readFileSync } from 'node:fs';
import { ChatTemplate } from '../../../src/engine/text/chatTemplate';
import { Sampler } from '../../../src/engine/text/sampler';
import { MODEL_CARD_SAMPLING } from '../../../src/engine/text/samplingDefaults';
import type { SamplingParams } from '../../../src/engine/text/samplingParams';
import { SeededRandom } from '../../../src/engine/text/seededRandom';
import { StreamDecoder } from '../../../src/engine/text/streamDecoder';
import { Tokenizer } from '../../../src/engine/text/tokenizer';
import { QWEN3_TOKENIZER_DIR } from './qwen3TokenizerFixture';

function time<T>(action: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = action();
  return { value, ms: performance.now() - start };
}

const loaded = time(() => Tokenizer.load(QWEN3_TOKENIZER_DIR));
const tokenizer = loaded.value;
console.log(`tokenizer load: ${loaded.ms.toFixed(0)} ms`);

const file = process.argv[2] ?? require.resolve('typescript/lib/typescript.js');
const source = readFileSync(file, 'utf8').slice(0, 2_000_000);
for (const [pass, encode] of [
  ['encode, cold', (text: string) => tokenizer.encode(text)],
  ['encode, warm', (text: string) => tokenizer.encode(text)],
  ['encodePlainText', (text: string) => tokenizer.encodePlainText(text)],
] as const) {
  const { value: ids, ms } = time(() => encode(source));
  const perSecond = (ids.length / ms) * 1000;
  console.log(
    `${pass}: ${ids.length} tokens from ${(source.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms = ` +
      `${(perSecond / 1000).toFixed(0)}K tokens/s, ${(source.length / ms / 1000).toFixed(2)} MB/s; 256K tokens ≈ ${((262_144 / perSecond) * 1000).toFixed(0)} ms`,
  );
}

const sample = tokenizer.encode(source.slice(0, 200_000));
{
  const decoder = new StreamDecoder(tokenizer);
  const { ms } = time(() => sample.forEach((id) => decoder.push(id)));
  console.log(`stream decode: ${((ms / sample.length) * 1000).toFixed(1)} µs per token`);
}

{
  const template = ChatTemplate.load(QWEN3_TOKENIZER_DIR);
  const messages = [
    { role: 'system' as const, content: source.slice(0, 100_000) },
    { role: 'user' as const, content: 'Explain.' },
  ];
  const { ms } = time(() => {
    for (let i = 0; i < 100; i++) template.render(messages, { addGenerationPrompt: true, enableThinking: true });
  });
  console.log(`chat template render (100 KB system prompt): ${(ms / 100).toFixed(2)} ms`);
}

// Shaped like a trained model's logits: a bulk within about ±6 and a few candidates some 20 above it.
const random = new SeededRandom(1);
const steps = Array.from({ length: 8 }, () => {
  const logits = new Float32Array(151_936);
  for (let i = 0; i < logits.length; i++)
    logits[i] = (random.nextFloat() + random.nextFloat() + random.nextFloat() - 1.5) * 4;
  for (let strong = 0; strong < 8; strong++) logits[random.nextUint32() % logits.length] += 18 + strong;
  return logits;
});
const settings: [string, SamplingParams][] = [
  ['greedy', { ...MODEL_CARD_SAMPLING.thinking, temperature: 0 }],
  ['thinking defaults (top-k 20, top-p 0.95)', MODEL_CARD_SAMPLING.thinking],
  ['top-k off, top-p 0.95', { ...MODEL_CARD_SAMPLING.thinking, topK: 0 }],
  ['top-k off, min-p 0.05', { ...MODEL_CARD_SAMPLING.thinking, topK: 0, topP: 1, minP: 0.05 }],
  ['no filters', { ...MODEL_CARD_SAMPLING.thinking, topK: 0, topP: 1 }],
];
for (const [name, params] of settings) {
  const sampler = new Sampler(params, 7, 151_669);
  const rounds = 400;
  const copy = new Float32Array(151_936);
  let copyMs = 0;
  const { ms } = time(() => {
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      copy.set(steps[i % steps.length]);
      copyMs += performance.now() - start;
      sampler.sample(copy);
    }
  });
  console.log(`sample, ${name}: ${(((ms - copyMs) / rounds) * 1e6).toFixed(0)} ns per token over 151,936 logits`);
}
