/**
 * A one-node ONNX model, Y = MatMulNBits(A, B, scales), for running a quantized weight through onnxruntime in
 * tests. Test-only: the engine's real graph builder lives in src/engine/onnx.
 */
import { onnx } from 'onnx-proto';
import { matMulNBitsLayout, type MatMulNBitsWeight } from '../../../src/engine/onnx/matMulNBits';

export interface MatMulNBitsModelOptions {
  /** 4 selects the int8-activation kernels the engine uses; 0 computes in float32 (exact layout check). */
  accuracyLevel: number;
  /** Scales as [n·blocksPerRow] instead of [n, blocksPerRow]. */
  flatScales?: boolean;
}

function floatInput(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function initializer(
  name: string,
  dataType: onnx.TensorProto.DataType,
  dims: number[],
  bytes: ArrayBufferView,
): onnx.ITensorProto {
  return { name, dataType, dims, rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/** Serialized model with input A [M, K] (M symbolic) and output Y [M, N]. */
export function matMulNBitsModel(weight: MatMulNBitsWeight, options: MatMulNBitsModelOptions): Uint8Array {
  const { n, k, bits, blockSize } = weight;
  const layout = matMulNBitsLayout(n, k, bits, blockSize);
  const scalesShape = options.flatScales === true ? [n * layout.blocksPerRow] : layout.scalesShape;
  const model: onnx.IModelProto = {
    irVersion: 10,
    producerName: 'hearth-test',
    opsetImport: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'matmul_nbits',
      input: [floatInput('A', ['M', k])],
      output: [floatInput('Y', ['M', n])],
      initializer: [
        initializer('B', onnx.TensorProto.DataType.UINT8, layout.dataShape, weight.data),
        initializer('scales', onnx.TensorProto.DataType.FLOAT, scalesShape, weight.scales),
      ],
      node: [
        {
          opType: 'MatMulNBits',
          domain: 'com.microsoft',
          input: ['A', 'B', 'scales'],
          output: ['Y'],
          attribute: [
            intAttribute('K', k),
            intAttribute('N', n),
            intAttribute('bits', bits),
            intAttribute('block_size', blockSize),
            intAttribute('accuracy_level', options.accuracyLevel),
          ],
        },
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
