import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dequantizeBlockFp8 } from '../../../src/engine/checkpoint/blockFp8';
import { openCheckpoint } from '../../../src/engine/checkpoint/checkpoint';
import { SafetensorsFile } from '../../../src/engine/checkpoint/safetensorsReader';
import {
  assertCheckpointError,
  copyDir,
  makeTempDir,
  rewriteSafetensors,
  writeMicroCheckpoint,
} from './checkpointFixtures';

const Q_PROJ = 'model.layers.0.self_attn.q_proj';
const UP = 'model.layers.1.mlp.up_proj';

describe('openCheckpoint', () => {
  let temp: ReturnType<typeof makeTempDir>;
  /** Untied FP8 Qwen3 in one file, and the same sharded: the originals every hostile case copies. */
  let single: string;
  let sharded: string;
  let copies = 0;
  const copyOf = (source: string): string => copyDir(source, join(temp.dir, `case-${++copies}`));
  const indexOf = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as {
      weight_map: Record<string, string>;
    };
  const writeIndex = (dir: string, weightMap: Record<string, string>) =>
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));

  before(async () => {
    temp = makeTempDir();
    single = await writeMicroCheckpoint(join(temp.dir, 'single'), { tied: false });
    sharded = await writeMicroCheckpoint(join(temp.dir, 'sharded'), { tied: false, shardBytes: 400_000 });
  });
  after(() => temp.remove());

  it('describes tensors and reads them decoded, FP8 linears dequantized with their block scales', () => {
    const checkpoint = openCheckpoint(single);
    try {
      assert.equal(checkpoint.dir, single);
      assert.equal(checkpoint.generationConfig?.topK, 20);
      const q = checkpoint.tensor(`${Q_PROJ}.weight`);
      assert.equal(q.file, join(single, 'model.safetensors'));
      assert.equal(q.dtype, 'F8_E4M3');
      assert.deepEqual(checkpoint.shape(`${Q_PROJ}.weight`), [256, 256]);
      assert.equal(q.byteLength, 256 * 256);
      const codes = checkpoint.readBytes(`${Q_PROJ}.weight`);
      const scales = checkpoint.readFloat32(`${Q_PROJ}.weight_scale_inv`);
      assert.deepEqual(checkpoint.readLinearFloat32(Q_PROJ), dequantizeBlockFp8(codes, 256, 256, scales, [128, 128]));
      assert.deepEqual(
        checkpoint.readLinearFloat32('lm_head'),
        checkpoint.readFloat32('lm_head.weight'),
        'BF16 linears are just decoded',
      );
      assert.equal(checkpoint.readFloat32('model.norm.weight').length, 256);
      assertCheckpointError(() => checkpoint.readFloat32('model.nope'), {
        kind: 'CheckpointInvalid',
        file: 'model.safetensors',
        tensor: 'model.nope',
      });
    } finally {
      checkpoint.close();
    }
  });

  it('has a stable identity that changes with the weight files and the config', () => {
    const dir = copyOf(single);
    const identity = () => {
      const checkpoint = openCheckpoint(dir);
      checkpoint.close();
      return checkpoint.identity();
    };
    const first = identity();
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(identity(), first);
    utimesSync(join(dir, 'model.safetensors'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = identity();
    assert.notEqual(touched, first);
    const config = join(dir, 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"rope_theta": 1000000', '"rope_theta": 5000000'));
    assert.notEqual(identity(), touched);
  });

  it('opens sharded checkpoints, and Hugging Face cache snapshots whose files link into blobs/', () => {
    const checkpoint = openCheckpoint(sharded);
    const shardFiles = new Set(checkpoint.tensorNames().map((name) => checkpoint.tensor(name).file));
    checkpoint.close();
    assert.ok(shardFiles.size >= 3);

    const repo = join(temp.dir, 'hub', 'models--test--micro');
    const blobs = copyDir(sharded, join(repo, 'blobs'));
    const snapshot = join(repo, 'snapshots', 'abc123');
    mkdirSync(snapshot, { recursive: true });
    const shards = new Set(Object.values(indexOf(blobs).weight_map));
    for (const name of [...shards, 'config.json', 'generation_config.json', 'model.safetensors.index.json']) {
      symlinkSync(join('..', '..', 'blobs', name), join(snapshot, name));
    }
    openCheckpoint(snapshot).close();
  });

  it('reports a missing folder or config.json as ModelNotFound', () => {
    assertCheckpointError(() => openCheckpoint(join(temp.dir, 'nowhere')), {
      kind: 'ModelNotFound',
      file: 'nowhere',
      message: /not a folder/,
    });
    const dir = copyOf(single);
    rmSync(join(dir, 'config.json'));
    assertCheckpointError(() => openCheckpoint(dir), {
      kind: 'ModelNotFound',
      file: 'config.json',
      message: /not a Hugging Face checkpoint/,
    });
  });

  it('reports a folder without weights, and unreadable configs, as CheckpointInvalid', () => {
    const noWeights = copyOf(single);
    rmSync(join(noWeights, 'model.safetensors'));
    assertCheckpointError(() => openCheckpoint(noWeights), {
      kind: 'CheckpointInvalid',
      file: `case-${copies}`,
      message: /neither model\.safetensors nor/,
    });
    const badJson = copyOf(single);
    writeFileSync(join(badJson, 'config.json'), '{"hidden_size": 2');
    assertCheckpointError(() => openCheckpoint(badJson), {
      kind: 'CheckpointInvalid',
      file: 'config.json',
      message: /not valid JSON/,
    });
    const badGeneration = copyOf(single);
    writeFileSync(join(badGeneration, 'generation_config.json'), '{"top_k": "twenty"}');
    assertCheckpointError(() => openCheckpoint(badGeneration), {
      kind: 'CheckpointInvalid',
      file: 'generation_config.json',
      field: 'top_k',
    });
  });

  describe('refuses tensors that do not match the config, naming the tensor', () => {
    const cases: { name: string; edit: Parameters<typeof rewriteSafetensors>[1]; tensor: string; message: RegExp }[] = [
      {
        name: 'a missing tensor',
        edit: (tensors) => tensors.filter(({ spec }) => spec.name !== `${UP}.weight`),
        tensor: `${UP}.weight`,
        message: /is missing/,
      },
      {
        name: 'a projection of the wrong shape',
        edit: (tensors) =>
          tensors.map((t) =>
            t.spec.name === `${Q_PROJ}.weight` ? { ...t, spec: { ...t.spec, shape: [128, 512] } } : t,
          ),
        tensor: `${Q_PROJ}.weight`,
        message: /has shape \[128, 512\], but config\.json implies \[256, 256\]/,
      },
      {
        name: 'a missing scale tensor',
        edit: (tensors) => tensors.filter(({ spec }) => spec.name !== `${UP}.weight_scale_inv`),
        tensor: `${UP}.weight_scale_inv`,
        message: /is missing/,
      },
      {
        name: 'a scale tensor of the wrong shape',
        edit: (tensors) =>
          tensors.map((t) =>
            t.spec.name === `${UP}.weight_scale_inv`
              ? { spec: { ...t.spec, shape: [2, 2] }, data: t.data.subarray(0, 8) }
              : t,
          ),
        tensor: `${UP}.weight_scale_inv`,
        message: /has shape \[2, 2\], but 128×128 blocks of .* need \[3, 2\]/,
      },
      {
        name: 'a norm stored as integers',
        edit: (tensors) =>
          tensors.map((t) => (t.spec.name === 'model.norm.weight' ? { ...t, spec: { ...t.spec, dtype: 'I16' } } : t)),
        tensor: 'model.norm.weight',
        message: /is I16; expected BF16, F16 or F32/,
      },
    ];
    for (const { name, edit, tensor, message } of cases) {
      it(name, () => {
        const dir = copyOf(single);
        rewriteSafetensors(join(dir, 'model.safetensors'), edit);
        assertCheckpointError(() => openCheckpoint(dir), {
          kind: 'CheckpointInvalid',
          file: 'model.safetensors',
          tensor,
          message,
        });
      });
    }

    it('an FP8 weight without quantization_config', () => {
      const dir = copyOf(single);
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      delete config.quantization_config;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
      const tensor = 'model.layers.0.self_attn.q_proj.weight';
      assertCheckpointError(() => openCheckpoint(dir), {
        kind: 'CheckpointInvalid',
        file: 'model.safetensors',
        tensor,
        message: /no quantization_config/,
      });
    });
  });

  describe('refuses corrupt FP8 data when reading it', () => {
    /** Overwrites the first element of a tensor in a copy of `single` and opens it. */
    const patched = (tensor: string, bytes: number[]) => {
      const dir = copyOf(single);
      const path = join(dir, 'model.safetensors');
      const file = SafetensorsFile.open(path);
      const offset = file.tensor(tensor).byteOffset;
      file.close();
      const data = readFileSync(path);
      data.set(bytes, offset);
      writeFileSync(path, data);
      return openCheckpoint(dir);
    };
    const scale = `${UP}.weight_scale_inv`;
    for (const [name, bits] of [
      ['NaN', [0xc0, 0x7f]],
      ['infinite', [0x80, 0x7f]],
      ['zero', [0, 0]],
      ['negative', [0x80, 0xbf]],
    ] as const) {
      it(`a ${name} scale`, () => {
        const checkpoint = patched(scale, [...bits]);
        try {
          const message = /block \[0, 0\] is .*; scales must be finite and positive/;
          assertCheckpointError(() => checkpoint.readLinearFloat32(UP), {
            kind: 'CheckpointInvalid',
            file: 'model.safetensors',
            tensor: scale,
            message,
          });
        } finally {
          checkpoint.close();
        }
      });
    }

    it('a NaN weight code', () => {
      const checkpoint = patched(`${UP}.weight`, [0x38, 0x7f]);
      try {
        const expected = {
          kind: 'CheckpointInvalid',
          file: 'model.safetensors',
          tensor: `${UP}.weight`,
          message: /element \[0, 1\] .* is NaN/,
        } as const;
        assertCheckpointError(() => checkpoint.readLinearFloat32(UP), expected);
      } finally {
        checkpoint.close();
      }
    });
  });

  describe('refuses sharded checkpoints whose index lies', () => {
    const tensor = 'model.norm.weight';
    /** The tensor an error about `shard` names: the first one the index lists in it. */
    const firstTensorIn = (weightMap: Record<string, string>, shard: string) =>
      Object.keys(weightMap).find((name) => weightMap[name] === shard);
    for (const [name, shard] of [
      ['up out of the folder', '../x.safetensors'],
      ['absolute', '/etc/passwd'],
      ['a Windows escape', '..\\x.safetensors'],
    ]) {
      it(`a shard path ${name}`, () => {
        const dir = copyOf(sharded);
        writeIndex(dir, { ...indexOf(dir).weight_map, [tensor]: shard });
        const message = /is not a relative path inside the checkpoint folder/;
        assertCheckpointError(() => openCheckpoint(dir), {
          kind: 'CheckpointInvalid',
          file: 'model.safetensors.index.json',
          tensor,
          message,
        });
      });
    }

    it('a shard that links out of the folder', () => {
      const dir = copyOf(sharded);
      const outside = join(temp.dir, `outside-${copies}.safetensors`);
      const weightMap = indexOf(dir).weight_map;
      renameSync(join(dir, weightMap[tensor]), outside);
      symlinkSync(outside, join(dir, weightMap[tensor]));
      const expected = {
        tensor: firstTensorIn(weightMap, weightMap[tensor]),
        message: /outside the checkpoint folder/,
      };
      assertCheckpointError(() => openCheckpoint(dir), {
        kind: 'CheckpointInvalid',
        file: 'model.safetensors.index.json',
        ...expected,
      });
    });

    it('a missing shard', () => {
      const dir = copyOf(sharded);
      const weightMap = indexOf(dir).weight_map;
      rmSync(join(dir, weightMap[tensor]));
      const expected = { tensor: firstTensorIn(weightMap, weightMap[tensor]), message: /shard .* is missing/ };
      assertCheckpointError(() => openCheckpoint(dir), {
        kind: 'CheckpointInvalid',
        file: 'model.safetensors.index.json',
        ...expected,
      });
    });

    it('a tensor listed in a shard that does not hold it', () => {
      const dir = copyOf(sharded);
      const weightMap = indexOf(dir).weight_map;
      const otherShard = Object.values(weightMap).find((shard) => shard !== weightMap[tensor])!;
      writeIndex(dir, { ...weightMap, [tensor]: otherShard });
      assertCheckpointError(() => openCheckpoint(dir), {
        kind: 'CheckpointInvalid',
        file: otherShard,
        tensor,
        message: /not stored in this shard/,
      });
    });

    it('a tensor the index forgets', () => {
      const dir = copyOf(sharded);
      const { [tensor]: _forgotten, ...weightMap } = indexOf(dir).weight_map;
      writeIndex(dir, weightMap);
      assertCheckpointError(() => openCheckpoint(dir), {
        kind: 'CheckpointInvalid',
        file: 'model.safetensors.index.json',
        tensor,
        message: /is missing/,
      });
    });
  });
});
