// Installs code-server 4.100.3 (= VS Code 1.100.3) offline for the real-VS Code tests.
// Idempotent: does nothing when the install is already complete.
// See ../../../shared/VSCODE_TESTING.md (or the README) for why each step is needed.
import { execFileSync, execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vscodeDir = join(here, 'node_modules', 'code-server', 'lib', 'vscode');
const marker = join(here, 'node_modules', '.hearth-setup-complete');

function lockDigest() {
  return createHash('sha256')
    .update(readFileSync(join(here, 'package-lock.json')))
    .digest('hex');
}

export function isInstalled() {
  return existsSync(marker) && readFileSync(marker, 'utf8') === lockDigest();
}

function run(cmd, args, env = {}) {
  execFileSync(cmd, args, { cwd: here, stdio: 'inherit', env: { ...process.env, ...env } });
}

/** @vscode/ripgrep's postinstall downloads rg from GitHub; seed its cache with Debian's rg instead. */
function seedRipgrepCache() {
  const shrinkwrap = JSON.parse(readFileSync(join(vscodeDir, 'npm-shrinkwrap.json'), 'utf8'));
  const version = shrinkwrap.packages['node_modules/@vscode/ripgrep'].version;
  const rg = execSync('command -v rg', { encoding: 'utf8' }).trim();
  const cacheDir = join(tmpdir(), `vscode-ripgrep-cache-${version}`);
  const archive = join(cacheDir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(archive)) return;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'hearth-rg-'));
  copyFileSync(rg, join(staging, 'rg'));
  execFileSync('tar', ['-czf', archive, '-C', staging, 'rg']);
  rmSync(staging, { recursive: true, force: true });
}

export function setup() {
  if (isInstalled()) return;
  if (!existsSync(join(here, 'node_modules', 'code-server')))
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  try {
    execSync('command -v rg', { stdio: 'ignore' });
  } catch {
    throw new Error('ripgrep (rg) is missing: install it first (Debian: apt-get install ripgrep).');
  }
  seedRipgrepCache();
  // Native modules build from source against this machine's Node headers. As root, code-server's
  // postinstall needs unsafe_perm and node-pty's needs yes.
  run('npm', ['rebuild'], { npm_config_yes: 'true', npm_config_unsafe_perm: 'true' });
  if (!existsSync(join(vscodeDir, 'node_modules'))) throw new Error('code-server postinstall did not install VS Code.');
  writeFileSync(marker, lockDigest());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) setup();
