// Shared by the checkpoint tests: temp folders, small synthetic checkpoints, hand-made safetensors files
// and an assertion for CheckpointError.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CheckpointError } from '../../../src/engine/checkpoint/checkpointError';
import { SafetensorsFile } from '../../../src/engine/checkpoint/safetensorsReader';
import { SafetensorsWriter, type TensorSpec } from '../../../src/engine/checkpoint/safetensorsWriter';
import {
  writeSyntheticCheckpoint,
  type SyntheticCheckpointOptions,
} from '../../../src/engine/synthetic/syntheticCheckpoint';
import { SYNTHETIC_GEOMETRIES, type SyntheticGeometry } from '../../../src/engine/synthetic/syntheticConfig';

/**
 * tiny with a 512-token vocabulary (the 151936-row embedding dominates tiny's size and write time) and an
 * intermediate size that is not a multiple of 128, so FP8 edge blocks are partial.
 */
export const MICRO_GEOMETRY: SyntheticGeometry = {
  ...SYNTHETIC_GEOMETRIES.tiny,
  vocabSize: 512,
  intermediateSize: 320,
};

/** A fresh temporary folder and a function that removes it. */
export function makeTempDir(prefix = 'hearth-checkpoint-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function writeMicroCheckpoint(
  outDir: string,
  overrides: Partial<Omit<SyntheticCheckpointOptions, 'outDir'>> = {},
): Promise<string> {
  await writeSyntheticCheckpoint({
    outDir,
    geometry: MICRO_GEOMETRY,
    dtype: 'fp8',
    seed: 7,
    arch: 'qwen3',
    tied: true,
    ...overrides,
  });
  return outDir;
}

export function copyDir(source: string, target: string): string {
  cpSync(source, target, { recursive: true });
  return target;
}

/** A safetensors file with a header and data written byte by byte as given: how a forged file looks. */
export function writeRawSafetensors(path: string, header: unknown, data: Uint8Array, headerLength?: bigint): void {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, data]));
}

/** Rewrites a safetensors file in place, letting `edit` change tensor specs and bytes (or drop tensors). */
export function rewriteSafetensors(
  path: string,
  edit: (tensors: { spec: TensorSpec; data: Uint8Array }[]) => { spec: TensorSpec; data: Uint8Array }[],
): void {
  const file = SafetensorsFile.open(path);
  const tensors = [...file.tensors.values()].map(({ name, dtype, shape }) => ({
    spec: { name, dtype, shape },
    data: file.read(name),
  }));
  file.close();
  const edited = edit(tensors);
  const writer = SafetensorsWriter.create(
    path,
    edited.map(({ spec }) => spec),
  );
  for (const { spec, data } of edited) writer.write(spec.name, data);
  writer.finish();
}

/** Asserts that `action` throws a CheckpointError of this kind, naming this file (by base name) and tensor or field. */
export function assertCheckpointError(
  action: () => unknown,
  expected: { kind: CheckpointError['kind']; file: string; tensor?: string; field?: string; message?: RegExp },
): CheckpointError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CheckpointError, `expected a CheckpointError, got ${String(caught)}`);
  assert.equal(caught.kind, expected.kind, caught.message);
  assert.equal(caught.file === undefined ? undefined : basename(caught.file), expected.file, caught.message);
  assert.equal(caught.tensor, expected.tensor, caught.message);
  assert.equal(caught.field, expected.field, caught.message);
  if (expected.message !== undefined) assert.match(caught.message, expected.message);
  assert.ok(caught.hint !== undefined && caught.hint.length > 0, 'every checkpoint error carries a hint');
  return caught;
}
