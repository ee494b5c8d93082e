import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { argmax } from '../text/topCandidates';
import { loadModel } from '../model/modelLoader';
import { parseIntegerOption, UsageError, type CliCommand } from './cliCommand';
import { modelParseOptions, modelUsage, parseModelOptions } from './modelOptions';
import { ProgressLine } from './progressLine';

export const logitsCommand: CliCommand = {
  name: 'logits',
  summary: "greedy-decode from token ids and write every step's logits (float32 [steps][vocab]) to a file",
  usage: `hearth logits ${modelUsage} --ids 1,2,3 --steps N --out FILE`,
  async run(args, signal) {
    const { values } = parseArgs({
      args,
      options: { ...modelParseOptions, ids: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    const options = parseModelOptions(values);
    if (!values.out) throw new UsageError('--out is required.');
    const steps = parseIntegerOption('steps', values.steps);
    if (steps < 1) throw new UsageError('--steps must be at least 1.');
    const ids = (values.ids ?? '')
      .split(',')
      .filter((s) => s.trim() !== '')
      .map((s) => parseIntegerOption('ids', s.trim()));
    if (ids.length === 0) throw new UsageError('--ids needs at least one token id, e.g. --ids 9707,11,1879.');

    const progress = new ProgressLine('converting weights');
    const model = await loadModel(options.dir, {
      ...options,
      contextLength: options.contextLength ?? ids.length + steps,
      onProgress: (p) => (p.phase === 'converting' ? progress.update(p.bytesDone, p.bytesTotal, 'B') : undefined),
      signal,
    });
    try {
      const { vocabSize } = model.config;
      const all = new Float32Array(steps * vocabSize);
      const generated: number[] = [];
      let logits = await model.decoder.prefill(ids, signal);
      for (let step = 0; step < steps; step++) {
        all.set(logits, step * vocabSize);
        const next = argmax(logits, logits.length);
        generated.push(next);
        if (step + 1 < steps) logits = await model.decoder.decode(next);
      }
      writeFileSync(values.out, new Uint8Array(all.buffer));
      process.stdout.write(`${JSON.stringify(generated)}\n`);
    } finally {
      await model.decoder.dispose();
    }
  },
};
