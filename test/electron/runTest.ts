/**
 * Runs the extension-host suite in a VS Code downloaded by @vscode/test-electron (`npm run test:electron`).
 * Needs internet to download VS Code, so it cannot run on the offline CI machines, which use code-server
 * instead (test/vscode/); both run the same suite, test/suite/.
 */
import { resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, 'out', 'test', 'suite', 'index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
