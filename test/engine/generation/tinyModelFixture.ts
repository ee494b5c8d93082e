import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { GenerationService, type GenerationServiceOptions } from '../../../src/engine/generation/generationService';
import { Logger } from '../../../src/engine/base/logger';
import { loadModel, type LoadedModel } from '../../../src/engine/model/modelLoader';
import type { DecoderSequence, OnnxDecoder } from '../../../src/engine/onnx/onnxDecoder';

/** Small enough to keep every test fast; large enough for a long shared prefix. */
export const CONTEXT_LENGTH = 1024;

/** A tiny synthetic Qwen3 checkpoint (real tokenizer and hybrid chat template) in a temporary folder. */
export class TinyModelFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'hearth-generation-'));
  readonly checkpoint = join(this.root, 'tiny');
  readonly cacheDir = join(this.root, 'cache');
  private readonly decoders: OnnxDecoder[] = [];

  async write(): Promise<void> {
    await writeSyntheticCheckpoint({
      outDir: this.checkpoint,
      geometry: 'tiny',
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
    });
  }

  /** The load params every test uses. */
  get loadParams() {
    return { path: this.checkpoint, contextLength: CONTEXT_LENGTH, threads: 1, cacheDir: this.cacheDir };
  }

  /** A service whose loaded decoders pass through `hook` (tests wrap prefill to observe or interrupt steps). */
  service(options: Partial<GenerationServiceOptions> = {}, hook?: (decoder: OnnxDecoder) => void): GenerationService {
    return new GenerationService({
      logger: new Logger('warn', () => {}),
      prefixCacheBytes: 16 * 1024 * 1024,
      loadModel: async (dir, loadOptions) => {
        const model = await loadModel(dir, loadOptions);
        this.decoders.push(model.decoder);
        hook?.(model.decoder);
        return model;
      },
      ...options,
    });
  }

  /** The same model loaded outside any service, for reference runs. */
  async loadDirectly(): Promise<LoadedModel> {
    const model = await loadModel(this.checkpoint, {
      quantization: 'int8',
      contextLength: CONTEXT_LENGTH,
      threads: 1,
      cacheDir: this.cacheDir,
    });
    this.decoders.push(model.decoder);
    return model;
  }

  async dispose(): Promise<void> {
    for (const decoder of this.decoders) await decoder.dispose().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export type PrefillHook = (
  tokens: readonly number[],
  call: number,
  sequence: 'main' | 'completions',
) => void | Promise<void>;

/**
 * Wraps the prefill of a decoder and of its completion sequence (decode steps go through it too) to call `after()`
 * once each run has finished; `call` counts the runs of both.
 */
export function observePrefill(decoder: OnnxDecoder, hooks: { after?: PrefillHook }): void {
  let calls = 0;
  const observe = (sequence: DecoderSequence, name: 'main' | 'completions') => {
    const prefill = sequence.prefill.bind(sequence);
    sequence.prefill = async (tokens, signal) => {
      const logits = await prefill(tokens, signal);
      await hooks.after?.(tokens, ++calls, name);
      return logits;
    };
  };
  observe(decoder, 'main');
  if (decoder.completions !== undefined) observe(decoder.completions, 'completions');
}
