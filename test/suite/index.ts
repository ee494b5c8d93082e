/**
 * Entry of the extension-host test suite: loaded by VS Code (code-server in CI, @vscode/test-electron on
 * machines with internet) through `extensionTestsPath`, it runs mocha inside the real extension host.
 */
import Mocha from 'mocha';
import { registerExtensionTests } from './extension.suite';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'extension.suite', mocha);
  registerExtensionTests();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension test(s) failed.`)) : resolve()));
  });
}
