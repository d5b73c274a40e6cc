import { runCli, tree } from './helpers';

// A comment may sit between any two tokens of an HCL expression; it must never hide a value (a PR adding
// `/* c */` before "MUTABLE" would otherwise turn an error into an unknown and pass the check).
describe('comments inside expressions are not part of the value', () => {
  test.each([
    ['before a literal', 'image_tag_mutability = /* c */ "MUTABLE"', 3, 34],
    ['after a literal', 'image_tag_mutability = "MUTABLE" /* c */', 3, 26],
    ['between a reference and its attribute', 'image_tag_mutability = var./* c */mode', 7, 13],
    ['before a reference', 'image_tag_mutability = /* c */ var.mode', 7, 13],
    ['inside a call', 'image_tag_mutability = upper(/* c */ "mutable" /* d */)', 3, 26],
    ['inside a map index', 'image_tag_mutability = { a = "MUTABLE" }[/* c */ "a"]', 3, 32],
    ['a line comment inside a conditional', 'image_tag_mutability = true ? # c\n    "MUTABLE" : "IMMUTABLE"', 4, 5],
  ])('%s', async (_, attribute, line, column) => {
    const dir = tree({
      'main.tf': `resource "aws_ecr_repository" "a" {\n  name = "a"\n  ${attribute}\n}\n\nvariable "mode" {\n  default = "MUTABLE"\n}\n`,
    });
    const r = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f) => [f.severity, f.line, f.column])).toEqual([['error', line, column]]);
  });
});
