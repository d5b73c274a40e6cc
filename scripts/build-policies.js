#!/usr/bin/env node
// Compiles policies/ to WebAssembly with the pinned opa and records the sha256 of every
// source file in policies/dist/manifest.json, so a stale bundle is detected by the tests.
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const POLICIES = path.join(__dirname, '..', 'policies');
const DIST = path.join(POLICIES, 'dist');
const ENTRYPOINTS = ['tagguard/main/findings', 'tagguard/main/rules'];

/** The Rego files that go into the bundle (tests do not), relative to policies/, sorted. */
function policySources(dir = POLICIES) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.rego') && !e.name.endsWith('_test.rego')) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function sourceHashes(dir = POLICIES) {
  return Object.fromEntries(policySources(dir).map((f) => [f, sha256(path.join(dir, f))]));
}

/** The descriptors of the compiled rules (their METADATA), as tagguard/main/rules returns them. */
function ruleDescriptors(wasm) {
  const { loadPolicySync } = require('@open-policy-agent/opa-wasm');
  const policy = loadPolicySync(fs.readFileSync(wasm), undefined, { 'internal.print': () => true });
  return policy.evaluate({}, 'tagguard/main/rules')[0]?.result ?? [];
}

/** The resource types the compiled rules judge: the scanner searches files for them before the policy has loaded. */
function resourceTypes(rules) {
  return [...new Set(rules.flatMap((r) => r.resource_types ?? []))].sort();
}

/**
 * Every rule's custom.nested_blocks by resource type: the evaluator reads these arguments
 * as blocks (Terraform JSON and plans cannot tell them from attributes). Each is the
 * provider schema's whole list, so two rules on one type must declare the same list:
 * a difference is a mistake in one of them, and the build names both.
 */
function nestedBlocks(rules) {
  const merged = {};
  const declaredBy = {};
  for (const rule of rules) {
    for (const [type, names] of Object.entries(rule.nested_blocks ?? {})) {
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
        throw new Error(`${rule.id}: nested_blocks.${type} must be a list of block type names`);
      const list = [...new Set(names)].sort();
      if (merged[type] && JSON.stringify(merged[type]) !== JSON.stringify(list))
        throw new Error(
          `${rule.id} and ${declaredBy[type]} declare different nested_blocks for ${type} (${list.join(', ')} / ${merged[type].join(', ')}): both must list the provider schema's block types`,
        );
      merged[type] = list;
      declaredBy[type] = rule.id;
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function build() {
  const bin = execFileSync('bash', [path.join(__dirname, 'install-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const opa = path.join(bin, 'opa');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tagguard-policies-'));
  try {
    const bundle = path.join(tmp, 'bundle.tar.gz');
    const args = ['build', '-t', 'wasm', ...ENTRYPOINTS.flatMap((e) => ['-e', e]), '--ignore', '*_test.rego', '-o', bundle];
    execFileSync(opa, [...args, ...policySources()], { cwd: POLICIES, stdio: 'inherit' });
    execFileSync('tar', ['-xzf', bundle, '-C', tmp, '/policy.wasm'], { stdio: ['ignore', 'inherit', 'ignore'] });
    fs.mkdirSync(DIST, { recursive: true });
    fs.copyFileSync(path.join(tmp, 'policy.wasm'), path.join(DIST, 'policy.wasm'));
    fs.chmodSync(path.join(DIST, 'policy.wasm'), 0o644);
    const version = execFileSync(opa, ['version'], { encoding: 'utf8' }).match(/^Version: (.*)$/m)[1];
    const rules = ruleDescriptors(path.join(DIST, 'policy.wasm'));
    const manifest = {
      opa: version,
      entrypoints: ENTRYPOINTS,
      sources: sourceHashes(),
      wasm: sha256(path.join(DIST, 'policy.wasm')),
      resource_types: resourceTypes(rules),
      nested_blocks: nestedBlocks(rules),
    };
    fs.writeFileSync(path.join(DIST, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    console.log(`built policies/dist/policy.wasm from ${Object.keys(manifest.sources).length} sources with opa ${version}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { policySources, sourceHashes, sha256, nestedBlocks, DIST };

if (require.main === module) build();
