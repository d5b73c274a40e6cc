import type { Options } from 'yargs';
import { FORMAT_NAMES } from '../report/formatters';
import { DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, TAG, UNSEEN_REGISTRY_SEVERITIES } from '../policy/image-config';

/**
 * The commands' options: one table that yargs is given (main.ts), that the early
 * reading of a scan's command line is parsed with (early-search.ts, yargs-parser), and
 * that says which values are paths to check before anything runs (path). Loading it loads no yargs.
 */
export interface OptionSpec extends Options {
  /**
   * Given once per value and collected in order (`--var-file a --var-file b`), as
   * `terraform -var-file`. Never yargs' `array: true`: that takes every word up to the
   * next option, so `--var-file prod.tfvars infra/` would eat the path to scan.
   */
  repeatable?: true;
  /** A path tagguard reads (a file or a directory that must exist) or writes (a file, or a directory it creates). */
  path?: 'file' | 'directory' | 'output-file' | 'output-directory';
  /** The grep searches depend on what this names (a plan, policies, git, a config file): none starts before the full parse. */
  delaysSearch?: true;
}

/** yargs collects a repeated option into an array, and a single one into a string. */
const toList = (value: string | string[]): string[] => [value].flat();

/** An option that takes one value; `--output` with nothing after it is a usage error, not an empty string. */
const one = (describe: string) => ({ type: 'string', requiresArg: true, describe }) as const;

const repeatable = (describe: string) => ({ type: 'string', requiresArg: true, coerce: toList, repeatable: true, describe }) as const;

/**
 * The characters of ECR's WILDCARD filters, `*` the only wildcard (lib.pattern_covers).
 * A scan's allowed pattern holding any other character matches it literally and so
 * covers no filter ECR accepts (scan-options.ts says so); `generate` writes patterns
 * as filters, so there they are a usage error.
 */
export const TAG_PATTERN = /^[A-Za-z0-9._*-]+$/;

const tagPatterns = (value: string | string[]): string[] => {
  const patterns = toList(value);
  const bad = patterns.find((p) => !TAG_PATTERN.test(p));
  if (bad !== undefined) {
    throw new Error(
      `--allow-mutable-tag ${JSON.stringify(bad)}: a tag pattern is letters, digits and . _ - with * as its only wildcard (as ECR's WILDCARD filters)`,
    );
  }
  return patterns;
};

const nonEmptyPatterns = (value: string | string[]): string[] => {
  const patterns = toList(value);
  if (patterns.includes('')) throw new Error('--allow-mutable-tag "": a tag pattern is not empty');
  return patterns;
};

const nonEmptyTags = (value: string | string[]): string[] => {
  const tags = toList(value);
  if (tags.includes('')) throw new Error('--moving-tag "": a tag is not empty');
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined)
    throw new Error(`--moving-tag ${JSON.stringify(bad)}: not an image tag (a letter, digit or _, then up to 127 of those, . and -)`);
  return tags;
};

/** `fix`'s options; `scan` has these and `--fix`. */
export const FIX_OPTIONS = {
  format: { alias: 'f', choices: FORMAT_NAMES, default: 'text', requiresArg: true, describe: 'Report format' },
  output: { ...one('Write the report to this file instead of stdout'), alias: 'o', path: 'output-file' },
  report: repeatable(
    'Also write the report in another format to a file, FORMAT=FILE (one per occurrence, repeatable): sarif=tagguard.sarif',
  ),
  'allow-mutable-tag': {
    ...repeatable(
      'Tag pattern that IMMUTABLE_WITH_EXCLUSION may leave mutable, * its only wildcard (one per occurrence, repeatable; replaces the default: latest)',
    ),
    coerce: nonEmptyPatterns,
  },
  unknown: {
    choices: ['warn', 'error', 'ignore'],
    requiresArg: true,
    describe: 'How to report values that cannot be known before apply (default: warn)',
  },
  'moving-tag': {
    ...repeatable(
      `An image tag that moves by convention, matched exactly: image-reference-immutable reports an image reference using one as an error (one per occurrence, repeatable; replaces the default: ${DEFAULT_MOVING_TAGS.join(', ')})`,
    ),
    coerce: nonEmptyTags,
  },
  'unseen-registry': {
    choices: UNSEEN_REGISTRY_SEVERITIES,
    requiresArg: true,
    describe: `The severity of an image tag in a registry tagguard cannot see (image-reference-immutable; default: ${DEFAULT_UNSEEN_REGISTRY})`,
  },
  'var-file': {
    ...repeatable('A variables file for every root module, as terraform -var-file (one per occurrence, repeatable)'),
    path: 'file',
  },
  'each-var-file': {
    type: 'boolean',
    describe:
      'Judge each root once per variables file Terraform does not load by itself (beside it, or given in .tagguard.yml roots); findings name the file',
  },
  var: {
    ...repeatable('A variable for every root module, name=value, as terraform -var (one per occurrence, repeatable)'),
    default: [] as string[],
  },
  plan: {
    ...one('Judge a plan: the output of terraform show -json (findings map back to the .tf files next to it)'),
    path: 'file',
    delaysSearch: true,
  },
  'config-dir': { ...one('With --plan: the configuration the plan was made from'), path: 'directory' },
  policy: {
    ...repeatable('A custom policy compiled with opa build -t wasm (bundle.tar.gz or policy.wasm; one per occurrence, repeatable)'),
    path: 'file',
    delaysSearch: true,
  },
  config: {
    ...one('The config file (default: the nearest .tagguard.yml from here up to the repository root)'),
    path: 'file',
    delaysSearch: true,
  },
  'config-from': {
    ...one(
      "Read .tagguard.yml, the baseline and custom policies from this git commit (a pull request's base branch), not the working tree",
    ),
    delaysSearch: true,
  },
  'policy-timeout': {
    type: 'number',
    requiresArg: true,
    describe: 'Seconds each custom policy may run in one scan (default 30); past it, it is stopped: an input error',
  },
  baseline: { ...one('Report only findings that this baseline file does not list'), path: 'file' },
  'create-baseline': { ...one("Write today's findings to this file as a baseline"), path: 'output-file' },
  'changed-since': { ...one('Report only findings that touch files changed since this git ref'), delaysSearch: true },
  'fix-dry-run': { type: 'boolean', default: false, describe: 'Print the fixes as a unified diff; change nothing' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'Also list remote modules that are not on disk' },
  'max-file-size': one('Larger files are an input error, not read (bytes, or with k, M or G; default 10M)'),
  'max-depth': { type: 'number', requiresArg: true, describe: 'Deeper nesting of blocks and expressions is an input error (default 256)' },
  workspace: one('The workspace terraform.workspace names (default: TF_WORKSPACE, else .terraform/environment, else default)'),
  engine: {
    choices: ['terraform', 'tofu'],
    requiresArg: true,
    describe: 'tofu: read every module as OpenTofu 1.8+ does, module sources evaluated at init (default: only modules with .tofu files)',
  },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'Findings only: no summary line and no notes on stderr' },
  color: {
    type: 'boolean',
    describe: 'Colour the text report (default: when stdout is a terminal and NO_COLOR is not set); --no-color never colours',
  },
  'soft-fail': { type: 'boolean', describe: 'Exit 0 even when findings fail the run (input errors still exit 2)' },
  'severity-threshold': {
    choices: ['error', 'warning', 'note'],
    requiresArg: true,
    describe: 'The lowest severity of a finding that fails the run (exit 1; default: error)',
  },
  'skip-rule': repeatable('Leave out the findings of this rule: its id or an alias such as CKV_AWS_51 (one per occurrence, repeatable)'),
  'only-rule': repeatable('Report only the findings of this rule: its id or an alias (one per occurrence, repeatable)'),
  strict: {
    type: 'boolean',
    describe:
      'Report every input error in the tree (parse errors, missing module directories, duplicate calls), also where nothing can reach a judged resource; parses more',
  },
  'skip-path': repeatable(
    'Leave out the files and directories this pattern matches: .gitignore syntax, relative to the working directory (one per occurrence, repeatable)',
  ),
} as const satisfies Record<string, OptionSpec>;

export const SCAN_OPTIONS = {
  ...FIX_OPTIONS,
  fix: { type: 'boolean', default: false, describe: 'Rewrite the code that makes a repository mutable, then report what is left' },
} as const satisfies Record<string, OptionSpec>;

export const GENERATE_OPTIONS = {
  repo: { ...repeatable('Repository name (one per occurrence, repeatable)'), demandOption: true },
  'kms-key': one('KMS key ARN for encryption (default: AES256)'),
  region: one('AWS region of the provider (default: none written; the provider reads AWS_REGION)'),
  'allow-mutable-tag': {
    ...repeatable('A tag that may stay mutable (IMMUTABLE_WITH_EXCLUSION; one per occurrence, repeatable)'),
    coerce: tagPatterns,
    default: [] as string[],
  },
  format: { choices: ['hcl', 'json', 'cdktf'], default: 'hcl', requiresArg: true, describe: 'What to write' },
  out: { ...one('Directory to write to (default: stdout)'), path: 'output-directory' },
  force: { type: 'boolean', default: false, describe: 'Overwrite files that exist in --out' },
} as const satisfies Record<string, OptionSpec>;

export const POLICIES_OPTIONS = {
  policy: { ...repeatable('Also load this custom policy (one per occurrence, repeatable)'), path: 'file', default: [] as string[] },
} as const satisfies Record<string, OptionSpec>;

type Table = Readonly<Record<string, OptionSpec>>;

/**
 * An option that takes one value, given more than once, takes the last (as
 * terraform, checkov and trivy do): a CI step can append to a command line to override it.
 */
export function lastValue(table: Table) {
  return (args: Record<string, unknown>): void => {
    for (const [name, spec] of Object.entries(table)) {
      const value = args[name];
      if (spec.type === 'boolean' || spec.repeatable || !Array.isArray(value)) continue;
      for (const key of [name, ...[spec.alias ?? []].flat()]) args[key] = value.at(-1);
    }
  };
}
