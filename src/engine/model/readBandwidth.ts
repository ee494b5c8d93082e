/**
 * The memory bandwidth onnxruntime's GEMV kernel reads at, for `hearth bench`'s ceiling on long-context decoding:
 * a decode step at depth d reads the whole KV cache once, so no graph can make it shorter than the step at
 * depth 0 plus the cache's bytes at this bandwidth. The kernel is the one the attention's score and value
 * products run (a float row times a matrix fed as a graph input, as the cache is), over a matrix far larger
 * than the last-level cache.
 */
import { OnnxModelBuilder, TensorType } from '../onnx/onnxModelBuilder';
import { OrtSession } from '../onnx/ortSession';
import { median } from './decoderBenchmark';

const ROWS = 1024;

/** Median bytes per second of a float32 GEMV over a `bytes`-sized matrix, after one warm-up run. */
export async function measureReadBandwidth(
  threads: number | undefined,
  { bytes = 512 * 2 ** 20, runs = 8 } = {},
): Promise<number> {
  const columns = Math.floor(bytes / 4 / ROWS);
  const graph = new OnnxModelBuilder();
  const row = graph.input('row', TensorType.float, [1, ROWS]);
  const matrix = graph.input('matrix', TensorType.float, [ROWS, columns]);
  graph.opN('MatMul', [row, matrix], ['product']);
  graph.output('product', TensorType.float, [1, columns]);
  const session = await OrtSession.create(graph.toBytes('read_bandwidth'), threads === undefined ? {} : { threads });
  try {
    const feeds = {
      row: { data: new Float32Array(ROWS).fill(1), dims: [1, ROWS] },
      matrix: { data: new Float32Array(ROWS * columns).fill(0.5), dims: [ROWS, columns] },
    };
    const perSecond: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const started = performance.now();
      await session.run(feeds, ['product']);
      if (run > 0) perSecond.push((ROWS * columns * 4 * 1000) / (performance.now() - started));
    }
    return median(perSecond);
  } finally {
    await session.dispose();
  }
}

/**
 * The most `tg @ d` can reach as a fraction of tg at depth 0: a step takes at least its depth-0 time plus the
 * time to read `kvBytes` at `bytesPerSecond`.
 */
export function longContextCeiling(stepMs: number, kvBytes: number, bytesPerSecond: number): number {
  return stepMs / (stepMs + (kvBytes * 1000) / bytesPerSecond);
}
