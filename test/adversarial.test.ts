/**
 * Issue 13: adversarial expressions (deep nesting, large counts, long strings,
 * regexes, wide formats) generated at random: every scan ends with a report, within
 * its work budget, and a good root beside the hostile one is still judged.
 */
import fc from 'fast-check';
import { runCli, tree } from './helpers';

const GOOD = 'resource "aws_ecr_repository" "good" {\n  name                 = "good"\n  image_tag_mutability = "MUTABLE"\n}\n';

/** One hostile expression, built from the shapes that cost the most. */
const hostile: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('"x"', '1', 'true', 'null', 'local.l', 'var.v', 'count.index'),
    fc.integer({ min: 0, max: 2000 }).map((n) => `range(${n})`),
    tie('expr').map((e) => `[for a in range(1000) : ${e}]`),
    tie('expr').map((e) => `{ for a in range(1000) : "k\${a}" => ${e} }`),
    tie('expr').map((e) => `concat([${e}], [${e}], [${e}])`),
    tie('expr').map((e) => `"\${${e}}\${${e}}"`),
    fc
      .tuple(fc.constantFrom('(a+)+$', '(a|a)*b', '[[:lower:]]+', '(?i)A+', '^(\\\\w+\\\\s?)*$'), fc.integer({ min: 1, max: 5000 }))
      .map(([p, n]) => `regex("${p}", "${'a'.repeat(Math.min(n, 60))}!")`),
    fc.integer({ min: 1, max: 999_999_999 }).map((w) => `format("%${w}d", 1)`),
    tie('expr').map((e) => `jsonencode(${e})`),
    // RE2: linear time whatever the pattern; JavaScript's RegExp took minutes on the first two.
    fc
      .tuple(fc.constantFrom('(a+)+$', '(a|a)*b', '[[:lower:]]+', '(?i)A+', '^(\\\\w+\\\\s?)*$'), fc.integer({ min: 1, max: 5000 }))
      .map(([p, n]) => `regexall("${p}", "${'a'.repeat(n)}!")`),
    fc.integer({ min: 1, max: 999_999_999 }).map((w) => `format("%${w}d", 1)`),
  ),
})).expr;

describe('hostile expressions', () => {
  test('every scan ends with a report; the good root is always judged', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.integer({ min: 0, max: 100_000 }), async (expr, count) => {
        const dir = tree({
          'good/main.tf': GOOD,
          'bad/main.tf': `variable "v" {\n  default = "aaaa"\n}\n\nlocals {\n  l = ${expr}\n}\n\nresource "aws_ecr_repository" "bad" {\n  count                = ${count}\n  name                 = "bad"\n  image_tag_mutability = jsonencode(local.l) == "" ? "MUTABLE" : "IMMUTABLE"\n}\n`,
        });
        const run = await runCli(['scan', '--format', 'json', '.'], dir);
        expect([0, 1, 2]).toContain(run.code);
        expect(run.err).not.toMatch(/internal error/);
        const report = run.json() as { findings: { resource: string }[]; errors: { file: string }[] };
        expect(report.findings.map((f) => f.resource)).toContain('aws_ecr_repository.good');
        // Whatever went wrong went wrong in the hostile root.
        for (const e of report.errors) expect(e.file.startsWith('bad/')).toBe(true);
      }),
      // Each case may run a root up to its whole budget (several seconds): few cases, and time for them.
      { numRuns: 12, endOnFailure: true },
    );
  }, 240_000);
});
