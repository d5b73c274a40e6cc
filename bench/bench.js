#!/usr/bin/env node
'use strict';
// npm run bench [-- --files 10000 --runs 5]: tagguard against the floor for any Node tool
// (a walk that reads every Terraform file) and grep, interleaved, medians of wall time,
// CPU time and peak RSS; then a one-file scan (the pre-commit case) against `node -e 0`.
// Uses GNU time where installed (TAGGUARD_BENCH_NO_TIME=1 measures without it).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { existsSync } = fs;
const os = require('node:os');
const path = require('node:path');
const { generate } = require('./generate');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const files = opt('files', 10000);
const runs = opt('runs', 5);
const root = path.join(__dirname, '..');
const dir = path.join(os.tmpdir(), `tagguard-bench-${files}`);
const tagguard = path.join(root, 'bin', 'tagguard.js');

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
    return { wall: last[0], cpu: last[1] + last[2], rss: last[3] / 1024, status: r.status };
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
  return { wall, cpu: usage.cpu, rss: usage.rss, status: r.status };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(cases) {
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, cmd] of Object.entries(cases)) {
      const r = measure(cmd);
      // A scan that stopped at a usage or input error measured nothing worth reporting.
      if (cmd.includes(tagguard) && r.status !== 0 && r.status !== 1)
        throw new Error(`${name} exited with ${r.status}: run ${cmd.join(' ')} in ${dir}`);
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

function table(title, rows, base) {
  console.log(`\n${title}`);
  console.log('  case'.padEnd(26) + 'wall s'.padStart(9) + 'cpu s'.padStart(9) + 'peak MB'.padStart(10) + `  wall / ${base}`);
  for (const [name, r] of Object.entries(rows)) {
    const n = (x, digits, width) => (Number.isNaN(x) ? 'n/a' : x.toFixed(digits)).padStart(width);
    console.log(`  ${name.padEnd(24)}${n(r.wall, 3, 9)}${n(r.cpu, 3, 9)}${n(r.rss, 0, 10)}  ${(r.wall / rows[base].wall).toFixed(2)}x`);
  }
}

const sample = generate(dir, files);
console.log(
  `tagguard bench: ${files} files in ${dir}, ${runs} interleaved runs each, medians (${os.cpus().length} cores; ${haveTime ? 'GNU time' : 'no GNU time: CPU and RSS of the Node processes only'})`,
);
table(
  'Whole tree',
  bench({
    'node read-only floor': ['node', '-e', floor, dir],
    'grep -rl': ['grep', '-rl', 'aws_ecr_repository', dir],
    'tagguard scan': ['node', tagguard, 'scan', dir, '--format', 'json', '--output', 'tagguard-bench.json'],
  }),
  'node read-only floor',
);
table(
  'One file (pre-commit)',
  bench({
    'node -e 0': ['node', '-e', '0'],
    'tagguard scan <file>': [
      'node',
      tagguard,
      'scan',
      path.relative(dir, sample),
      '--format',
      'json',
      '--output',
      'tagguard-bench-one.json',
    ],
  }),
  'node -e 0',
);
