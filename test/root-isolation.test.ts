import { PolicyEngine } from '../src/policy/engine';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, matching, tree } from './helpers';

// Issue 13, item 3: one root that breaks the evaluation or the policy never takes the report with it.
describe('one broken root never takes the report with it', () => {
  test("a root too large for the policy's memory is an input error of that root; the other root is judged", async () => {
    const many = Array.from(
      { length: 1500 },
      (_, i) =>
        `resource "aws_ecr_repository" "r${i}" {\n  name                 = "${'n'.repeat(200)}${i}"\n  image_tag_mutability = "IMMUTABLE"\n}\n`,
    ).join('\n');
    const dir = tree({ 'big/main.tf': many, 'small/main.tf': 'resource "aws_ecr_repository" "a" {\n  name = "a"\n}\n' });
    const engine = await PolicyEngine.load(undefined, { maxMemoryPages: 60 });
    const result = await scan({ paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } }, engine);
    expect(result.findings.map((f) => [f.root, f.resource, f.file, f.line])).toEqual([
      ['small', 'aws_ecr_repository.a', 'small/main.tf', 1],
    ]);
    expect(result.errors).toEqual([
      {
        file: 'big',
        line: 0,
        column: 0,
        message: matching(
          /^acr-tag-immutability, ecr-tag-immutability, gar-tag-immutability, harbor-tag-immutability, image-reference-immutable, msr-tag-immutability could not judge this root \(policy policy.wasm failed at tagguard\/main\/findings: .*\); its resources are not judged$/,
        ),
      },
    ]);
  });
});
