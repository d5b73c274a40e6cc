import path from 'node:path';

/** `terraform`: only what Terraform reads; `tofu` and undefined (either): `.tofu` files too. */
export type Engine = 'terraform' | 'tofu';

/**
 * The one table of what Terraform and OpenTofu read as configuration; the patterns
 * below and grep's include globs (pre-search.ts) are made from it.
 */
export const CONFIG_EXTENSIONS = [
  { extension: '.tf', engines: ['terraform', 'tofu'] },
  { extension: '.tf.json', engines: ['terraform', 'tofu'] },
  { extension: '.tofu', engines: ['tofu'] },
  { extension: '.tofu.json', engines: ['tofu'] },
] as const;

/** `*.tf`, `*.tofu.json`…: every configuration file, as grep's --include takes them. */
export const CONFIG_GLOBS = CONFIG_EXTENSIONS.map((e) => `*${e.extension}`);

const endsWithOneOf = (extensions: readonly string[]) => (name: string) => extensions.some((e) => name.endsWith(e));
const TERRAFORM_FILE = endsWithOneOf(
  CONFIG_EXTENSIONS.filter((e) => (e.engines as readonly string[]).includes('terraform')).map((e) => e.extension),
);
const ANY_CONFIG_FILE = endsWithOneOf(CONFIG_EXTENSIONS.map((e) => e.extension));

/** Whether a file name ends as configuration does, for either engine, hidden and editor files included. */
export function hasConfigExtension(name: string): boolean {
  return ANY_CONFIG_FILE(name);
}

/**
 * Whether Terraform (or OpenTofu) reads a file as configuration: `.tf` and `.tf.json`,
 * and for OpenTofu also `.tofu` and `.tofu.json`. Names that start with `.`, end with
 * `~` or are `#…#` are editor and hidden files, which both skip
 * (configs/parser_config_dir.go, IsIgnoredFile): a hidden override must not hide a finding.
 */
export function isConfigFile(file: string, engine?: Engine): boolean {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf(path.sep)) + 1);
  if (name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'))) return false;
  return engine === 'terraform' ? TERRAFORM_FILE(name) : ANY_CONFIG_FILE(name);
}

/** OpenTofu 1.8+: `x.tofu` wins over `x.tf`, and `x.tofu.json` over `x.tf.json`, in one directory. */
export function applyTofuPrecedence(files: string[]): string[] {
  if (!files.some((f) => f.endsWith('.tofu') || f.endsWith('.tofu.json'))) return files;
  const present = new Set(files);
  return files.filter((f) => {
    const m = /^(.*)\.tf(\.json)?$/.exec(f);
    if (!m) return true;
    // The .json group is optional: undefined for x.tf.
    return !present.has(`${m[1]}.tofu${m.at(2) ?? ''}`);
  });
}

/** Files Terraform reads in a root by itself: terraform.tfvars(.json) and *.auto.tfvars(.json). */
export const isAutoVarFile = (name: string) => /^terraform\.tfvars(\.json)?$|\.auto\.tfvars(\.json)?$/.test(path.basename(name));

/** A variables file by its name: .tfvars or .tfvars.json. */
export const isVarFile = (name: string) => /\.tfvars(\.json)?$/.test(name);
