#!/usr/bin/env node
'use strict';
// npm run bench [-- --files 10000 --runs 5]: tagguard against the floor for any Node tool
// (a walk that reads every Terraform file) and grep, interleaved, medians of wall time,
// CPU time and peak RSS; then a one-file scan (the pre-commit case) against `node -e 0`.
// npm run bench -- --tree <dir> [--file <path>] [--runs 5]: the same comparison on a tree the
// user gives (a clone of a real repository: nothing is generated, fetched or written in it).
// Uses GNU time where installed (TAGGUARD_BENCH_NO_TIME=1 measures without it).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { existsSync } = fs;
const os = require('node:os');
const path = require('node:path');
const { generate } = require('./generate');

const args = process.argv.slice(2);
const str = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  if (i + 1 >= args.length) throw new Error(`--${name} needs a value`);
  return args[i + 1];
};
const opt = (name, fallback) => {
  const v = str(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${v}`);
  return n;
};
const files = opt('files', 10000);
const runs = opt('runs', 5);
const root = path.join(__dirname, '..');
const tree = str('tree');
const dir = tree === undefined ? path.join(os.tmpdir(), `tagguard-bench-${files}`) : path.resolve(tree);
const tagguard = path.join(root, 'bin', 'tagguard.js');

const TERRAFORM_FILE = /\.(tf|tofu)(\.json)?$/;
const floor = `
const fs = require('fs'), path = require('path');
let bytes = 0, hits = 0;
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\\.(tf|tofu)(\\.json)?$/.test(e.name)) { const b = fs.readFileSync(p); bytes += b.length; if (b.includes('aws_ecr_repository')) hits++; }
  }
})(process.argv[1]);
`;

const GNU_TIME = '/usr/bin/time';
const haveTime = existsSync(GNU_TIME) && process.env.TAGGUARD_BENCH_NO_TIME !== '1';

/**
 * Wall seconds, CPU seconds and peak RSS (MB) of one run: from GNU time where it is
 * installed; else wall time from here, and CPU and RSS from a preload in the Node
 * processes (bench/usage.js), none for grep.
 */
function measure(cmd) {
  // The one-file scan runs as a pre-commit hook does: from the repository's top.
  const options = { encoding: 'utf8', maxBuffer: 1 << 30, cwd: dir };
  if (haveTime) {
    const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M', ...cmd], options);
    const last = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    if (last.some(Number.isNaN)) throw new Error(`cannot measure ${cmd.join(' ')}: ${r.stderr}`);
    return { wall: last[0], cpu: last[1] + last[2], rss: last[3] / 1024, status: r.status, stdout: r.stdout };
  }
  const usageFile = path.join(os.tmpdir(), `tagguard-bench-usage-${process.pid}.json`);
  fs.rmSync(usageFile, { force: true });
  const env = {
    ...process.env,
    TAGGUARD_BENCH_USAGE: usageFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'usage.js')}`,
  };
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { ...options, env });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw new Error(`cannot run ${cmd.join(' ')}: ${r.error.message}`);
  const usage = existsSync(usageFile) ? JSON.parse(fs.readFileSync(usageFile, 'utf8')) : { cpu: NaN, rss: NaN };
  fs.rmSync(usageFile, { force: true });
  return { wall, cpu: usage.cpu, rss: usage.rss, status: r.status, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The JSON report a run wrote to stdout (its summary and input errors), else undefined. */
function parseReport(stdout) {
  try {
    const report = JSON.parse(stdout);
    return report && typeof report.summary === 'object' && Array.isArray(report.errors) ? report : undefined;
  } catch {
    return undefined;
  }
}

/** Cases that exited 2 with a finished report: the number of input errors it lists. */
const inputErrors = {};

function bench(cases) {
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, cmd] of Object.entries(cases)) {
      const r = measure(cmd);
      if (cmd.includes(tagguard)) {
        // A scan that stopped at a usage or input error measured nothing worth reporting. On a
        // tree the user gives, exit 2 with a complete JSON report (input errors found in the
        // tree) is a finished scan: measured, and said below the table.
        const report = r.status === 2 && tree !== undefined ? parseReport(r.stdout) : undefined;
        if (r.status !== 0 && r.status !== 1 && !report) throw new Error(`${name} exited with ${r.status}: run ${cmd.join(' ')} in ${dir}`);
        if (report) inputErrors[name] = report.errors.length;
      }
      results[name].push(r);
    }
  }
  return Object.fromEntries(
    Object.entries(results).map(([k, rs]) => [
      k,
      { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), rss: median(rs.map((r) => r.rss)) },
    ]),
  );
}

const n = (x, digits, width = 0) => (Number.isNaN(x) ? 'n/a' : x.toFixed(digits)).padStart(width);

function table(title, rows, base) {
  console.log(`\n${title}`);
  console.log('  case'.padEnd(26) + 'wall s'.padStart(9) + 'cpu s'.padStart(9) + 'peak MB'.padStart(10) + `  wall / ${base}`);
  for (const [name, r] of Object.entries(rows)) {
    console.log(`  ${name.padEnd(24)}${n(r.wall, 3, 9)}${n(r.cpu, 3, 9)}${n(r.rss, 0, 10)}  ${(r.wall / rows[base].wall).toFixed(2)}x`);
  }
  for (const [name, count] of Object.entries(inputErrors)) {
    if (name in rows) console.log(`  (${name} exited with 2: a finished scan whose report lists ${count} input errors)`);
  }
}

/** The ratio line the README quotes: wall, CPU and peak RSS of `name` over `base`. */
function ratio(label, rows, name, base) {
  const a = rows[name];
  const b = rows[base];
  console.log(
    `ratio ${label}: ${name} / ${base} = ${n(a.wall / b.wall, 2)}x wall (${n(a.wall, 3)} s / ${n(b.wall, 3)} s), ${n(a.cpu / b.cpu, 2)}x CPU; peak RSS ${n(a.rss, 0)} MB`,
  );
}

/** Relative paths (with `/`) of the Terraform files under `top`, sorted; .git and .terraform are not walked, symlinks not followed. */
function terraformFiles(top) {
  const out = [];
  (function walk(rel) {
    for (const e of fs.readdirSync(path.join(top, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== '.terraform') walk(p);
      } else if (e.isFile() && TERRAFORM_FILE.test(e.name)) out.push(p);
    }
  })('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Whether a file can hold what the rules judge: it names a judged resource type (the policy
 * manifest's list) or calls a registry module that tagguard models (the built scanner's list).
 */
function judged() {
  const { resource_types: types } = JSON.parse(fs.readFileSync(path.join(root, 'policies', 'dist', 'manifest.json'), 'utf8'));
  const { registryModel } = require(path.join(root, 'dist', 'src', 'terraform', 'config', 'registry-models.js'));
  return (text) =>
    types.some((t) => text.includes(t)) ||
    [...text.matchAll(/\bsource\s*[=:]\s*"([^"\n]*)"/g)].some((m) => registryModel(m[1]) !== undefined);
}

/**
 * The one-file case on a given tree: --file, else the first file in sorted order that names a
 * judged resource type or calls a modelled registry module, else the first Terraform file.
 */
function pickFile(found) {
  const given = str('file');
  if (given !== undefined) {
    const abs = path.resolve(dir, given);
    if (!existsSync(abs) || !fs.statSync(abs).isFile()) throw new Error(`--file ${given}: no such file in ${dir}`);
    return { file: abs, why: 'given with --file' };
  }
  const matches = judged();
  const first = found.find((f) => matches(fs.readFileSync(path.join(dir, f), 'utf8')));
  if (first) return { file: path.join(dir, first), why: 'the first file in sorted order that names a judged type or a modelled module' };
  if (found.length)
    return {
      file: path.join(dir, found[0]),
      why: 'the first Terraform file in sorted order: none names a judged type or a modelled module',
    };
  throw new Error(`no Terraform file under ${dir}`);
}

function gitCommit() {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--show-toplevel', 'HEAD'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const [top, commit] = r.stdout.trim().split('\n');
  return path.resolve(top) === fs.realpathSync(dir) ? commit : undefined;
}

let sample;
let header;
// The synthetic tree is the benchmark's own: its reports are written in it. A given tree is not written to: reports go to stdout.
let output = (name) => ['--output', name];
if (tree === undefined) {
  sample = generate(dir, files);
  header = `${files} files in ${dir}`;
} else {
  if (!existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`--tree ${tree}: not a directory`);
  const found = terraformFiles(dir);
  const bytes = found.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  const picked = pickFile(found);
  sample = picked.file;
  const commit = gitCommit();
  header = `${dir}${commit ? ` at ${commit}` : ''}: ${found.length} Terraform files, ${(bytes / 1e6).toFixed(1)} MB`;
  header += `\none file: ${path.relative(dir, sample).split(path.sep).join('/')} (${picked.why})`;
  output = () => [];
}
console.log(
  `tagguard bench: ${header}\n${runs} interleaved runs each, medians (${os.cpus().length} cores; ${haveTime ? 'GNU time' : 'no GNU time: CPU and RSS of the Node processes only'})`,
);
const whole = bench({
  'node read-only floor': ['node', '-e', floor, dir],
  'grep -rl': ['grep', '-rl', 'aws_ecr_repository', dir],
  'tagguard scan': ['node', tagguard, 'scan', dir, '--format', 'json', ...output('tagguard-bench.json')],
});
table('Whole tree', whole, 'node read-only floor');
const one = bench({
  'node -e 0': ['node', '-e', '0'],
  'tagguard scan <file>': ['node', tagguard, 'scan', path.relative(dir, sample), '--format', 'json', ...output('tagguard-bench-one.json')],
});
table('One file (pre-commit)', one, 'node -e 0');
console.log('');
ratio('whole tree', whole, 'tagguard scan', 'node read-only floor');
ratio('one file', one, 'tagguard scan <file>', 'node -e 0');
