import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from './helpers';

const run = async (argv: string[], cwd: string) => {
  const r = await runCli(argv, cwd);
  return { ...r, json: () => r.json() as { findings: Array<{ resource: string; severity: string }> } };
};

/** A project with fixtures and a .tagguard.yml at its top; commands run in `infra/`. */
function project(config: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagguard-config-'));
  mkdirSync(path.join(dir, '.git'));
  for (const f of ['immutable-with-exclusion', 'mutable', 'unknown']) cpSync(path.join(ROOT, 'fixtures', f), path.join(dir, 'infra', f), { recursive: true });
  writeFileSync(path.join(dir, '.tagguard.yml'), config);
  return path.join(dir, 'infra');
}

describe('.tagguard.yml', () => {
  test('is found upward and applies allowed tags, unknown handling, severity and exclusions', async () => {
    const cwd = project('allowed_mutable_tags: [latest, "dev-*"]\nunknown: error\nexclude:\n  - infra/mutable/\n');
    const { code, json } = await run(['scan', '--format', 'json'], cwd);
    expect(json().findings.map((f) => [f.resource, f.severity])).toEqual([['aws_ecr_repository.ingest', 'error']]);
    expect(code).toBe(1);
  });

  test('severity overrides per rule, and off drops a rule', async () => {
    const cwd = project('severity:\n  ecr-tag-immutability: warning\n');
    const { code, json } = await run(['scan', 'mutable', '--format', 'json'], cwd);
    expect(json().findings.map((f) => f.severity)).toEqual(['warning']);
    expect(code).toBe(0);
    const off = project('severity:\n  ecr-tag-immutability: "off"\n');
    expect((await run(['scan', 'mutable', '--format', 'json'], off)).json().findings).toEqual([]);
  });

  test('command-line options win over the file', async () => {
    const cwd = project('allowed_mutable_tags: ["dev-*"]\n');
    const { json } = await run(['scan', 'immutable-with-exclusion', '--allow-mutable-tag', 'latest', '--format', 'json'], cwd);
    expect(json().findings.map((f) => f.resource)).toEqual(['aws_ecr_repository.preview']);
  });

  test.each([
    ['unknown: sometimes\n', /\.tagguard\.yml:1:10: unknown: must be one of "warn", "error", "ignore"/],
    ['allowed_mutable_tags: latest\n', /\.tagguard\.yml:1:23: allowed_mutable_tags: must be array/],
    ['exclud: [x]\n', /\.tagguard\.yml:1:1: the file: unknown key "exclud"/],
    ['severity:\n  ecr-tag-immutability: fatal\n', /\.tagguard\.yml:2:25: severity\.ecr-tag-immutability: must be one of/],
    ['unknown: [\n', /\.tagguard\.yml:2:1: /],
  ])('invalid config %j is a usage error naming file:line:column', async (text, message) => {
    const cwd = project(text);
    const { code, err } = await run(['scan'], cwd);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
