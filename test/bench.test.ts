import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './helpers';

/**
 * issue 17: `npm run bench -- --tree <dir>` runs the interleaved comparison on a tree the user
 * gives (here a copy of a fixture, one run, without GNU time) and prints the ratio lines the
 * README quotes; it writes nothing in the tree.
 */
const BENCH = path.join(ROOT, 'bench', 'bench.js');

function bench(args: string[]) {
  const r = spawnSync('node', [BENCH, ...args, '--runs', '1'], {
    encoding: 'utf8',
    env: { ...process.env, TAGGUARD_BENCH_NO_TIME: '1' },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

test('--tree: the whole tree and the first file that names a judged type, ratios and peak RSS', () => {
  const tree = tempDir('bench');
  cpSync(path.join(ROOT, 'fixtures', 'two-roots'), tree, { recursive: true });
  const before = readdirSync(tree, { recursive: true }).sort();
  const out = bench(['--tree', tree]);
  expect(out).toMatch(/^one file: \S+\.tf \(the first file in sorted order that names a judged type or a modelled module\)$/m);
  expect(out).toMatch(/no GNU time/);
  expect(out).toMatch(/^ratio whole tree: tagguard scan \/ node read-only floor = \d+\.\d\dx wall \(.*\), .*x CPU; peak RSS \d+ MB$/m);
  expect(out).toMatch(/^ratio one file: tagguard scan <file> \/ node -e 0 = \d+\.\d\dx wall \(.*\), .*x CPU; peak RSS \d+ MB$/m);
  expect(readdirSync(tree, { recursive: true }).sort()).toEqual(before);
});

test('--tree with --file: the file named; a scan that reports input errors (exit 2) is still measured and said', () => {
  const tree = tempDir('bench');
  cpSync(path.join(ROOT, 'fixtures', 'syntax-error'), tree, { recursive: true });
  const out = bench(['--tree', tree, '--file', 'good.tf']);
  expect(out).toMatch(/^one file: good\.tf \(given with --file\)$/m);
  expect(out).toMatch(/\(tagguard scan exited with 2: a finished scan whose report lists \d+ input errors\)/);
  expect(out).toMatch(/^ratio whole tree: /m);
  expect(out).toMatch(/^ratio one file: /m);
});
