#!/usr/bin/env node
// Builds dist/ from scratch (npm runs this on `npm ci`, `npm pack` and when tagguard is installed from git).
// npm prepares a git dependency with the installing command's settings: pre-commit sets
// a global prefix, so the dev dependencies land elsewhere. Then install them here first.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(prefix|global|location)$/i.test(k)));
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
}
// From scratch: nothing of an earlier build (a renamed source's output, a source map) is packed.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
