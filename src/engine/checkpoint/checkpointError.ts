import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/** Where in a checkpoint a problem was found: the file, and within it a tensor or a config field. */
export interface CheckpointLocation {
  file?: string;
  tensor?: string;
  field?: string;
}

export const REDOWNLOAD_HINT =
  'The checkpoint is damaged or incomplete: download it again (or re-run the conversion that produced it).';
export const UNSUPPORTED_HINT =
  'Hearth runs Qwen3, Qwen2 and Llama checkpoints (Qwen3ForCausalLM, Qwen2ForCausalLM, LlamaForCausalLM) ' +
  'in BF16, F16, F32 or block-wise FP8 E4M3: choose such a checkpoint.';
export const NOT_FOUND_HINT =
  'Choose the Hugging Face checkpoint folder: the one that holds config.json and the .safetensors files.';

/**
 * A checkpoint that cannot be used. The message names the file and the tensor or field, so a user (or a
 * bug report) can tell which part of a multi-gigabyte download is at fault.
 */
export class CheckpointError extends EngineError {
  readonly file?: string;
  readonly tensor?: string;
  readonly field?: string;

  constructor(detail: string, where: CheckpointLocation, options: { code?: EngineErrorCode; hint?: string } = {}) {
    super(options.code ?? EngineErrorCode.CheckpointInvalid, describe(detail, where), options.hint ?? REDOWNLOAD_HINT);
    this.file = where.file;
    this.tensor = where.tensor;
    this.field = where.field;
  }
}

function describe(detail: string, { file, tensor, field }: CheckpointLocation): string {
  const place = [
    file,
    tensor === undefined ? undefined : `tensor "${tensor}"`,
    field === undefined ? undefined : `field "${field}"`,
  ].filter((part) => part !== undefined);
  return place.length === 0 ? detail : `${place.join(', ')}: ${detail}`;
}
