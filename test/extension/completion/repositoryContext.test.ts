import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContextPackParams } from '../../../src/shared/protocol';
import { parseQwenRepositoryBlock, RepositoryContext } from '../../../src/extension/completion/repositoryContext';

const block =
  '<|repo_name|>shop\n<|file_sep|>src/math.ts\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n' +
  '<|file_sep|>src/total.ts\n⋮\n3│export function total(xs: number[]): number {\n⋮\n' +
  '<|file_sep|>[files not shown in full]\nREADME.md\n[Repository context: 1 file whole, 1 as outlines, 1 by path only; nothing left out.]\n';

describe('parseQwenRepositoryBlock', () => {
  it('splits a packed block into its files, without the list of paths and the summary', () => {
    assert.deepEqual(parseQwenRepositoryBlock(block), [
      { path: 'src/math.ts', text: 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
      { path: 'src/total.ts', text: '⋮\n3│export function total(xs: number[]): number {\n⋮\n' },
    ]);
  });
});

describe('RepositoryContext', () => {
  it('packs in the background when the active file changes, at most every interval, and leaves out the active file', async () => {
    let now = 0;
    const asked: ContextPackParams[] = [];
    const context = new RepositoryContext(
      (params) => {
        asked.push(params);
        return Promise.resolve({
          text: block,
          stats: {
            filesWhole: 1,
            filesOutlined: 1,
            filesListed: 1,
            filesOmitted: 0,
            tokens: 60,
            budget: 512,
            elapsedMs: 1,
          },
        });
      },
      { budgetTokens: 512, minIntervalMs: 1000, retryMs: 5000, now: () => now },
    );
    assert.deepEqual(context.snippets('src/total.ts'), []);
    // Resolves once the pack is in.
    await context.refresh({ activeFile: '/ws/src/total.ts', openFiles: [], query: 'add total' });
    assert.deepEqual(asked, [
      { budget: 512, format: 'qwen', focus: { activeFile: '/ws/src/total.ts', openFiles: [], query: 'add total' } },
    ]);
    assert.deepEqual(
      context.snippets('src/total.ts').map((s) => s.path),
      ['src/math.ts'],
    );

    await context.refresh({ activeFile: '/ws/src/total.ts', openFiles: [], query: 'other names' }); // same file: kept
    now = 500;
    await context.refresh({ activeFile: '/ws/src/math.ts', openFiles: [], query: '' }); // too soon
    assert.equal(asked.length, 1);
    now = 1500;
    await context.refresh({ activeFile: '/ws/src/math.ts', openFiles: [], query: '' });
    assert.equal(asked.length, 2);
  });

  it('with ignoreInterval (a warm-up) packs for its file at once, after the pack in flight for another file; other callers share the pack in flight', async () => {
    const asked: string[] = [];
    const packs: (() => void)[] = [];
    const context = new RepositoryContext(
      (params) => {
        asked.push(params.focus!.activeFile!);
        const text = block.replace('src/math.ts', `${params.focus!.activeFile}.defs`);
        return new Promise((resolve) =>
          packs.push(() =>
            resolve({
              text,
              stats: {
                filesWhole: 1,
                filesOutlined: 1,
                filesListed: 1,
                filesOmitted: 0,
                tokens: 60,
                budget: 512,
                elapsedMs: 1,
              },
            }),
          ),
        );
      },
      { budgetTokens: 512, minIntervalMs: 30_000, retryMs: 60_000, now: () => 0 },
    );
    const first = context.refresh({ activeFile: 'a', openFiles: [], query: '' });
    assert.equal(context.refresh({ activeFile: 'b', openFiles: [], query: '' }), first);
    const warmUp = context.refresh({ activeFile: 'b', openFiles: [], query: '' }, { ignoreInterval: true });
    packs[0]();
    await first;
    // The warm-up's pack starts once the first is in, inside the interval.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(asked, ['a', 'b']);
    packs[1]();
    await warmUp;
    assert.deepEqual(
      context.snippets('x').map((s) => s.path),
      ['b.defs', 'src/total.ts'],
    );
    // Without the option, the interval holds.
    await context.refresh({ activeFile: 'c', openFiles: [], query: '' });
    assert.deepEqual(asked, ['a', 'b']);
  });

  it('waits before trying again when there is no index', async () => {
    let now = 0;
    let calls = 0;
    const context = new RepositoryContext(
      () => {
        calls++;
        return Promise.reject(new Error('No repository is indexed yet.'));
      },
      { budgetTokens: 512, minIntervalMs: 0, retryMs: 5000, now: () => now },
    );
    await context.refresh({ activeFile: '/ws/a.ts', openFiles: [], query: '' });
    now = 1000;
    await context.refresh({ activeFile: '/ws/b.ts', openFiles: [], query: '' });
    now = 6000;
    await context.refresh({ activeFile: '/ws/b.ts', openFiles: [], query: '' });
    assert.equal(calls, 2);
    assert.deepEqual(context.snippets('a.ts'), []);
  });
});
