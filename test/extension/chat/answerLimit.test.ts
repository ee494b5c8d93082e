import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { userSetLimit } from '../../../src/extension/chat/answerLimit';

describe('userSetLimit', () => {
  it('takes the most specific scope the user set, and nothing for the default or 0', () => {
    assert.equal(userSetLimit(undefined), undefined);
    assert.equal(userSetLimit({}), undefined);
    assert.equal(userSetLimit({ globalValue: 4_096 }), 4_096);
    assert.equal(userSetLimit({ globalValue: 4_096, workspaceValue: 512 }), 512);
    assert.equal(userSetLimit({ globalValue: 4_096, workspaceValue: 512, workspaceFolderValue: 64 }), 64);
    assert.equal(userSetLimit({ globalValue: 4_096, workspaceValue: 0 }), undefined);
  });
});
