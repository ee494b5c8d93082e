/**
 * The model error that the chat header and the status bar show, from the real engine's answers to model/fit: told
 * once per cause, never for a cancellation, and told again after it was cleared.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError } from '../../../src/extension/cancellation';
import { EngineSupervisor } from '../../../src/extension/engineSupervisor';
import { ModelErrorState } from '../../../src/extension/model/modelErrorState';
import { builtEnginePath } from '../../helpers/builtEngine';

describe('ModelErrorState', () => {
  let root = '';
  let engine: EngineSupervisor;
  /** The engine's error for model/fit of `path`. */
  const fitError = async (path: string): Promise<unknown> => {
    const error = await engine.request('model/fit', { path }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(error !== undefined, `model/fit of ${path} succeeded`);
    return error;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hearth-model-error-'));
    engine = new EngineSupervisor({
      enginePath: builtEnginePath(),
      clientVersion: 'test',
      logLevel: () => 'warn',
      log: () => undefined,
    });
  });
  after(async () => {
    await engine.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('tells a folder that is not a checkpoint once, with Select Model, and again once cleared', async () => {
    const folder = join(root, 'not-a-model');
    mkdirSync(folder);
    const state = new ModelErrorState();
    const reason = `${join(folder, 'config.json')}: is missing: this is not a Hugging Face checkpoint folder`;
    const shown = `${reason}. Choose the Hugging Face checkpoint folder: the one that holds config.json and the .safetensors files.`;
    // The folder check and the load of one engine start fail alike: the second is not told again.
    const [check, load] = await Promise.all([fitError(folder), fitError(folder)]);
    assert.deepEqual(state.fail(check), { message: shown, actions: ['selectModel'], setting: 'hearth.model.path' });
    assert.equal(state.fail(load), undefined);
    assert.equal(state.message, shown);

    assert.equal(state.clear(), true);
    assert.equal(state.message, undefined);
    assert.equal(state.clear(), false);
    assert.equal(state.fail(await fitError(folder))?.message, shown);
  });

  it('tells a different cause at once, and a cancellation never', async () => {
    const state = new ModelErrorState();
    assert.equal(state.fail(new CancelledError()), undefined);
    assert.equal(state.message, undefined);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const missing = join(root, 'missing');
    assert.match(state.fail(await fitError(empty))?.message ?? '', /config\.json: is missing: /);
    const hint =
      'Choose the Hugging Face checkpoint folder: the one that holds config.json and the .safetensors files.';
    const notAFolder = `${missing}: is not a folder. ${hint}`;
    assert.equal(state.fail(await fitError(missing))?.message, notAFolder);
    assert.equal(state.message, notAFolder);
    assert.equal(state.fail(new CancelledError()), undefined);
    assert.equal(state.message, notAFolder, 'a cancellation cleared the error');
  });
});
