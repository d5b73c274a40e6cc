import type { Exclusions } from '../discover/discover';
import type { Configuration } from '../fix/readers';
import type { Engine } from '../discover/terraform-files';
import type { Problem, SourceFile } from '../parse/source';
import type { Baseline } from '../policy/baseline';
import type { PolicySource, RuleDescriptor } from '../policy/engine';
import type { Finding, Severity } from '../policy/findings';
import type { PolicyConfig } from '../policy/input';
import type { Limits } from '../terraform/config/module-loader';
import type { ResourceInstance } from '../terraform/instances/module-tree';
import type { VariableOptions } from '../terraform/instances/variables';

/** What one scan reads and how it judges: the CLI builds this from options and the configuration file. */
export interface ScanOptions {
  paths: string[];
  cwd: string;
  policy: PolicyConfig;
  variables: Omit<VariableOptions, 'cwd'>;
  /** `terraform show -json` output to judge instead of the configuration's static values. */
  plan?: string;
  /** Where the plan's configuration is, when not next to the plan. */
  configDir?: string;
  /** YYYY-MM-DD that suppression expiry dates are compared with (default: today). */
  today?: string;
  /** Compiled custom policies (policy.wasm or bundle.tar.gz; files, or bytes read from a git commit), evaluated beside the built-in ones. */
  policies?: PolicySource[];
  /** How long each custom policy may take, in milliseconds (--policy-timeout; default 30 s). */
  policyTimeoutMs?: number;
  /** Report only findings this baseline does not list. */
  baseline?: Baseline;
  /** Report only findings whose location or trace is in one of these files (paths as reported). */
  onlyFiles?: ReadonlySet<string>;
  /** Bounds on one file: size in bytes and nesting depth (--max-file-size, --max-depth). */
  limits?: Partial<Limits>;
  /**
   * false: .gitignore files are not honoured. With --config-from the code under review
   * wrote them, and a rule added there could hide a file that Terraform still reads;
   * `exclude` in the trusted configuration still applies.
   */
  gitignore?: boolean;
  /** Paths left out of discovery (.tagguard.yml exclude). */
  exclude?: Exclusions;
  /** `tofu`: read every module as OpenTofu does (module sources evaluated at init), not only those with .tofu files. */
  engine?: Engine;
  /** The workspace terraform.workspace names (--workspace); else TF_WORKSPACE or .terraform/environment. */
  workspace?: string;
  /** Severity per rule id; `off` drops the rule's findings (.tagguard.yml severity). */
  severity?: Record<string, Severity | 'off'>;
  /** Rules whose findings are reported (ids or aliases): all but `skip`, and with `only` only those; `from` names where each list was given. */
  rules?: RuleSelection;
  /** More paths left out of discovery (--skip-path), beside `exclude`. */
  skipPaths?: Exclusions;
  /**
   * Every input error in the tree reported, as before 0.x's relevance: directories that
   * cannot reach a judged type are parsed as earlier releases parsed them, and a missing
   * local module is an input error rather than an unknown (--strict, .tagguard.yml strict).
   */
  strict?: boolean;
  /** Which findings fail the run (exit 1): those of `threshold` or worse (default error); none with `softFail`. */
  failure?: { threshold: Severity; softFail: boolean };
}

export interface RuleSelection {
  skip: string[];
  only?: string[];
  /** How messages name the lists: `--skip-rule`, or `.tagguard.yml: skip_rules:`. */
  from: { skip: string; only: string };
}

/** What a scan found: every formatter and the fixer take this. */
export interface ScanResult {
  findings: Finding[];
  errors: Problem[];
  /** Things a user may want to know with --verbose: remote modules not on disk, the roots each variables file was applied to. */
  notes: string[];
  /** Things a user must know, on stderr even without --verbose: variables files no root reads, values for undeclared variables. */
  notices: string[];
  summary: {
    /** Terraform configuration files read (those that the pre-search shows cannot matter are not read). */
    files: number;
    resources: number;
    errors: number;
    warnings: number;
    parseErrors: number;
    suppressed?: number;
    baselined?: number;
  };
  /** The scanned files by reported path, for code frames and fixes. */
  sources: Map<string, SourceFile>;
  /** The evaluated resource instances the findings refer to. */
  resources: ResourceInstance[];
  /** The data sources the rules read (METADATA custom.data_sources), as the policies saw them. */
  dataSources?: ResourceInstance[];
  /** The descriptors of every loaded rule. */
  rules: RuleDescriptor[];
  /** The configuration read, for the fixer to find every reader of a value it would change. */
  configuration?: Configuration;
  /** The CDKTF output folders the scanned files lie in, as reported paths: `cdktf synth` writes them again, so --fix edits nothing there. */
  cdktfOutputs?: string[];
}
