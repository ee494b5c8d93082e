import { onnx } from 'onnx-proto';
import type { ExternalTensorLocation } from './externalDataFile';

/** ONNX element types the engine's graphs use (TensorProto.DataType values). */
export const TensorType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 } as const;
export type TensorType = (typeof TensorType)[keyof typeof TensorType];

export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/** A float attribute; plain numbers are written as INT attributes. */
export class FloatAttribute {
  constructor(readonly value: number) {}
}
export const float = (value: number): FloatAttribute => new FloatAttribute(value);

export type AttributeValue = number | number[] | string | FloatAttribute;

export const MICROSOFT_DOMAIN = 'com.microsoft';

/** Dimension: a fixed size or a symbolic name. */
export type Dim = number | string;

/** ai.onnx opset 17 covers every standard op the engine uses; IR 8 matches it. */
const ONNX_OPSET = 17;
const IR_VERSION = 8;

/**
 * Builds an ONNX model in memory: inputs, outputs, initializers (embedded, or ONNX external data in a file
 * beside the model) and nodes with generated, unique value names.
 */
export class OnnxModelBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  input(name: string, type: TensorType, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, type: TensorType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** An initializer embedded in the model. */
  initializer(name: string, type: TensorType, dims: number[], data: TensorData): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    checkByteLength(name, type, dims, bytes.byteLength);
    this.initializers.push({ name: this.claim(name), dataType: type, dims, rawData: bytes });
    return name;
  }

  /** An initializer whose bytes lie in a file beside the model (ORT memory-maps or reads it at load). */
  externalInitializer(
    name: string,
    type: TensorType,
    dims: number[],
    { location, offset, length }: ExternalTensorLocation,
  ): string {
    checkByteLength(name, type, dims, length);
    this.initializers.push({
      name: this.claim(name),
      dataType: type,
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(length) },
      ],
    });
    return name;
  }

  /** A small int64 initializer (shapes, axes, indices), named after its values and shared. */
  int64s(values: number[]): string {
    const name = `const_i64_${values.join('_').replace(/-/g, 'm')}`;
    if (this.names.has(name)) return name;
    return this.initializer(name, TensorType.int64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** A float32 scalar initializer, named after its value and shared. */
  floatScalar(value: number): string {
    const name = `const_f32_${String(value).replace(/[^0-9a-zA-Z]/g, '_')}`;
    if (this.names.has(name)) return name;
    return this.initializer(name, TensorType.float, [], Float32Array.of(value));
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): string {
    return this.opN(opType, inputs, 1, attributes, domain)[0];
  }

  /**
   * Adds a node with `outputs` generated outputs, or the given output names ('' skips an optional output), and
   * returns the output names.
   */
  opN(
    opType: string,
    inputs: string[],
    outputs: number | string[],
    attributes: Record<string, AttributeValue> = {},
    domain = '',
  ): string[] {
    const id = this.counter++;
    const outputNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.claim(`${opType}_${id}_${i}`))
        : outputs.map((n) => (n === '' ? n : this.claim(n)));
    this.nodes.push({
      name: `${opType}_${id}`,
      opType,
      domain,
      input: inputs,
      output: outputNames,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputNames;
  }

  toModelProto(graphName: string): onnx.IModelProto {
    return {
      irVersion: IR_VERSION,
      producerName: 'hearth',
      opsetImport: [
        { domain: '', version: ONNX_OPSET },
        { domain: MICROSOFT_DOMAIN, version: 1 },
      ],
      graph: {
        name: graphName,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    };
  }

  /** Serialized model. Protobuf caps a message at 2 GiB: use an external data file for large weights. */
  toBytes(graphName = 'graph'): Uint8Array {
    return onnx.ModelProto.encode(onnx.ModelProto.create(this.toModelProto(graphName))).finish();
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate ONNX value name ${name}`);
    this.names.add(name);
    return name;
  }
}

function checkByteLength(name: string, type: TensorType, dims: number[], byteLength: number): void {
  const bytesPerElement =
    type === TensorType.int64 ? 8 : type === TensorType.float || type === TensorType.int32 ? 4 : 1;
  const expected = dims.reduce((a, b) => a * b, bytesPerElement);
  if (expected !== byteLength)
    throw new Error(`initializer ${name}: ${byteLength} bytes do not match dims [${dims.join(', ')}]`);
}

function valueInfo(name: string, type: TensorType, dims: Dim[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: type, shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (value instanceof FloatAttribute) return { name, type: AttributeType.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value.map(checkedInt) };
  return { name, type: AttributeType.INT, i: checkedInt(value) };
}

function checkedInt(value: number): number {
  if (!Number.isInteger(value)) throw new Error(`integer attribute expected, got ${value} (use float() for floats)`);
  return value;
}
