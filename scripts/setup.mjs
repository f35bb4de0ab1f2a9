#!/usr/bin/env node
// Installs what a fresh clone lacks, so `npm start` and `npm test` are the only commands to type:
// npm packages (when package-lock.json changed since the last install), Java for DynamoDB Local,
// and, for the tests, poppler-utils (pdftotext/pdfinfo/pdftoppm read the PDFs back).
// Plain Node on purpose: it runs before the project's dependencies exist.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const forTests = process.argv.includes('--test');
const say = (m) => process.stdout.write(`setup: ${m}\n`);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const marker = 'node_modules/.package-lock.json';
if (!existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs) {
  say('installing npm packages (npm ci)');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

const debianPackages = [];
if (!has('java')) debianPackages.push('openjdk-17-jre-headless');
if (forTests && !has('pdftotext')) debianPackages.push('poppler-utils');
if (debianPackages.length > 0) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!has('apt-get') || !root) {
    console.error(
      `setup: missing ${debianPackages.join(', ')}; install them with your package manager (Debian: sudo apt-get install -y ${debianPackages.join(' ')}).`,
    );
    process.exit(1);
  }
  say(`installing ${debianPackages.join(', ')} (apt-get)`);
  execSync('apt-get update -qq', { stdio: 'inherit' });
  execSync(
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${debianPackages.join(' ')}`,
    {
      stdio: 'inherit',
    },
  );
}
