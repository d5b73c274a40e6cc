import { patternCovers } from '../src/cdktf/pattern-covers';
import { PolicyEngine } from '../src/policy/engine';

/**
 * One glob semantics for the allow-list (ECR's WILDCARD): a `*` of the pattern matches
 * any run of characters (none, dots and a `*` of the filter included); every other
 * character, `?`, `[…]`, `{…}` and `\` among them, matches only itself. The same table
 * runs through the scanner's policy engine and through the synchronous policy that the
 * fixer, the CDKTF aspect and the constructs ask (patternCovers), so they cannot drift. Filters are ones ECR accepts: the policy judges no other against the allow-list.
 */
const TABLE: [pattern: string, filter: string, covers: boolean][] = [
  ['latest', 'latest', true],
  ['latest', 'stable', false],
  ['Latest', 'latest', false],
  ['*', 'release-*', true],
  ['*', 'latest', true],
  ['dev-*', 'dev-*', true],
  ['dev-*', 'dev-pr-*', true],
  ['dev-*', '*', false],
  ['dev-*', 'dev', false],
  ['latest*', 'latest', true],
  ['v*', 'v1.2.*', true],
  ['v*-rc', 'v1.*-rc', true],
  ['*-latest', 'web-latest', true],
  ['*.*', '1.2', true],
  ['dev-?', 'dev-*', false],
  ['dev-?', 'dev-a', false],
  ['dev-[a]', 'dev-a', false],
  ['[a-z]*', 'a*', false],
  ['{dev,test}-*', 'dev-*', false],
  ['{a,b}', 'a', false],
  ['dev-\\*', 'dev-*', false],
  ['dev-\\*', 'dev-x', false],
  ['a.b', 'axb', false],
  ['a.b', 'a.b', true],
  ['a+', 'aa', false],
  ['(a|b)', 'a', false],
  ['^v$', 'v', false],
];

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load();
});

/** Whether the compiled policy lets the filter stand under IMMUTABLE_WITH_EXCLUSION with only this pattern allowed. */
function policyCovers(pattern: string, filter: string): boolean {
  const at = { file: 'main.tf', line: 1, column: 1 };
  const repository = {
    address: 'aws_ecr_repository.app',
    type: 'aws_ecr_repository',
    root: '.',
    location: at,
    attributes: {
      image_tag_mutability: { set: true, known: true, value: 'IMMUTABLE_WITH_EXCLUSION', location: at, trace: [] },
      image_tag_mutability_exclusion_filter: {
        set: true,
        known: true,
        value: [{ filter, filter_type: 'WILDCARD', known: true, location: at, trace: [] }],
      },
    },
  };
  const findings = engine
    .findings({ resources: [repository], config: { allowed_mutable_tags: [pattern], unknown: 'warn' } })
    .filter((f) => f.ruleId === 'ecr-tag-immutability');
  if (findings.some((f) => !f.message.includes('leaves the tags it matches mutable')))
    throw new Error(`unexpected findings for ${filter}: ${JSON.stringify(findings)}`);
  return findings.length === 0;
}

describe('allow-list pattern semantics', () => {
  test.each(TABLE)('%j covers %j: %s (policy)', (pattern, filter, covers) => {
    expect(policyCovers(pattern, filter)).toBe(covers);
  });

  test.each(TABLE)('%j covers %j: %s (fixer, aspect, constructs)', (pattern, filter, covers) => {
    expect(patternCovers(pattern, filter)).toBe(covers);
  });
});
