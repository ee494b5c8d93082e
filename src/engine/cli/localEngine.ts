import type { ModelLoadParams, ModelLoadResult } from '../../shared/protocol';
import { ContextService } from '../context/contextService';
import { GenerationService } from '../generation/generationService';
import { Logger } from '../base/logger';
import { loadModel } from '../model/modelLoader';
import type { OnnxDecoder } from '../onnx/onnxDecoder';
import { ProgressLine } from './progressLine';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';

/**
 * The engine's services in this process, wired as engine/main.ts wires them (the repository context counts
 * tokens with the served model's tokenizer), for commands that drive them from a terminal: no subprocess and
 * no JSON-RPC in between, the same code paths.
 */
export class LocalEngine {
  readonly generation: GenerationService;
  readonly context: ContextService;
  private prefillListener: ((tokens: number) => void) | undefined;

  constructor(cacheDir: string) {
    this.generation = new GenerationService({
      logger: new Logger('warn'),
      loadModel: async (dir, options) => {
        const model = await loadModel(dir, options);
        this.observePrefill(model.decoder);
        return model;
      },
    });
    this.context = new ContextService({ cacheDir, tokenCounter: () => this.generation.tokenCounter() });
  }

  /**
   * Called after each run of the decoder with the tokens it computed: prompt chunks while prefilling, then one
   * per decode step. The generation service reports prefill only when it is over; this is how a terminal
   * shows it going.
   */
  onPrefill(listener: ((tokens: number) => void) | undefined): void {
    this.prefillListener = listener;
  }

  /** Loads the model, showing the weight conversion (first load only) and a line that describes it. */
  async load(params: ModelLoadParams, signal: AbortSignal): Promise<ModelLoadResult> {
    const conversion = new ProgressLine('converting weights (once; later loads use the cache)');
    const result = await this.generation.loadModel(
      parseEngineParams('model/load', params),
      (p) => p.phase === 'converting' && conversion.update(p.bytesDone, p.bytesTotal, 'B'),
      signal,
    );
    if (result.converted) conversion.done('done');
    const { model } = result;
    process.stderr.write(
      `model ${model.path}: ${model.kind ?? 'no chat template'}, ${model.quantization} weights, ${model.kvCache} KV cache, context ${model.contextLength.toLocaleString('en-US')} tokens; loaded in ${(result.loadMs / 1000).toFixed(2)} s\n`,
    );
    return result;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.generation.dispose(), this.context.dispose()]);
  }

  private observePrefill(decoder: OnnxDecoder): void {
    const prefill = decoder.prefill.bind(decoder);
    decoder.prefill = async (tokens, signal) => {
      const logits = await prefill(tokens, signal);
      this.prefillListener?.(tokens.length);
      return logits;
    };
  }
}
