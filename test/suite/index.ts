/**
 * Entry of the extension-host test suite: loaded by VS Code (code-server in CI, @vscode/test-electron on
 * machines with internet) through `extensionTestsPath`, it runs mocha inside the real extension host.
 */
import Mocha from 'mocha';
import { registerChatTests } from './chat.suite';
import { registerCompletionTests } from './completion.suite';
import { registerConversationTests } from './conversation.suite';
import { registerExtensionTests } from './extension.suite';
import { registerModelTests } from './model.suite';
import { registerRemoteTests } from './remote.suite';
import { registerRepositoryPrefixTests } from './repositoryPrefix.suite';
import { registerSoakTests, soakOptionsFromEnvironment } from './soak.suite';

export function run(): Promise<void> {
  // HEARTH_TEST_GREP (inherited through code-server) runs only the matching tests, while working on them.
  const grep = process.env.HEARTH_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', ...(grep && { grep }) });
  mocha.suite.emit('pre-require', globalThis, 'extension.suite', mocha);
  registerExtensionTests();
  registerModelTests();
  registerCompletionTests();
  registerChatTests();
  registerConversationTests();
  registerRepositoryPrefixTests();
  registerRemoteTests();
  // The soak runs only when asked for (test/vscode/soak.test.ts, npm run soak): it takes minutes.
  const soak = soakOptionsFromEnvironment();
  if (soak) registerSoakTests(soak);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed.`)) : resolve()));
  });
}
