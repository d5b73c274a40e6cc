import { existsSync } from 'node:fs';
import path from 'node:path';
import { readTextFile } from '../discover/read';
import { repositoryRoot } from '../discover/repository';
import type { Node } from 'yaml';
import schema from './config-schema.json';
import type { Severity } from '../policy/findings';
import type { UnseenRegistrySeverity } from '../policy/image-config';
import type { Engine } from '../discover/terraform-files';
import { lazy } from '../lazy';

// Loaded only when there is a config file: they cost more start-up than the rest of the CLI.
const loadYaml = lazy<typeof import('yaml')>(require, 'yaml');
const loadAjv = lazy<typeof import('ajv')>(require, 'ajv');

export interface Config {
  allowed_mutable_tags?: string[];
  unknown?: 'warn' | 'error' | 'ignore';
  moving_tags?: string[];
  unseen_registry?: UnseenRegistrySeverity;
  severity?: Record<string, Severity | 'off'>;
  exclude?: string[];
  var_files?: string[];
  roots?: Record<string, { var_files?: string[] }>;
  each_var_file?: boolean;
  policies?: string[];
  max_file_size?: number | string;
  max_depth?: number;
  engine?: Engine;
  baseline?: string;
  soft_fail?: boolean;
  severity_threshold?: Severity;
  skip_rules?: string[];
  only_rules?: string[];
  strict?: boolean;
}

export interface LoadedConfig {
  /** Where the file is (or, read from a commit, would be) in the working tree: paths in it are relative to `dir`. */
  file: string;
  dir: string;
  /** How messages name it: a path relative to the working directory, or `<ref>:<path>` when read from a commit. */
  display: string;
  config: Config;
}

export class ConfigError extends Error {}

export const CONFIG_NAMES = ['.tagguard.yml', '.tagguard.yaml'];

/**
 * The nearest .tagguard.yml from `cwd` up to the repository's root, validated against
 * the schema. Never above the root: a file there belongs to nobody who reviews the
 * repository. Outside a repository only the working directory is searched.
 */
export function findConfig(cwd: string): LoadedConfig | undefined {
  const top = repositoryRoot(cwd) ?? path.resolve(cwd);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const file = path.join(dir, name);
      if (existsSync(file)) return loadedConfig(file, cwd);
    }
    if (dir === top || path.dirname(dir) === dir) return undefined;
  }
}

/** A config file of the working tree, read and validated. */
export function loadedConfig(file: string, cwd: string): LoadedConfig {
  const display = path.relative(cwd, file) || file;
  return { file, dir: path.dirname(file), display, config: loadConfig(file, cwd) };
}

/** A configuration file is a few lines; the bound is against a link to a file that never ends. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads, parses and validates one config file; errors name file:line:column. */
export function loadConfig(file: string, cwd: string): Config {
  const display = path.relative(cwd, file) || file;
  const read = readTextFile(file, MAX_CONFIG_BYTES);
  if (!read.ok) throw new ConfigError(`${display}: ${read.message}`);
  return parseConfig(read.text, display);
}

/** Parses and validates a config file's text; errors name `display`:line:column. */
export function parseConfig(text: string, display: string): Config {
  const { LineCounter, parseDocument } = loadYaml();
  const Ajv = loadAjv().default;
  const validate = new Ajv({ allErrors: true }).compile<Config>(schema);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const where = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return `${display}:${p.line}:${p.col}`;
  };
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n'));
  const data = (doc.toJS() ?? {}) as unknown;
  if (validate(data)) return data;
  const messages = (validate.errors ?? []).map((e) => {
    const segments = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const node = nodeAt(doc.contents as Node | null, segments);
    const field = segments.length ? segments.join('.') : 'the file';
    const detail =
      e.keyword === 'additionalProperties'
        ? `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : e.keyword === 'enum'
          ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
          : (e.message ?? 'is invalid');
    return `${where(node?.range?.[0])}: ${field}: ${detail}`;
  });
  throw new ConfigError(messages.join('\n'));
}

function nodeAt(node: Node | null, segments: string[]): Node | null {
  const { isMap, isSeq } = loadYaml();
  let current: Node | null = node;
  for (const s of segments) {
    if (isMap(current)) current = (current.get(s, true) as Node | undefined) ?? null;
    else if (isSeq(current)) current = (current.get(Number(s), true) as Node | undefined) ?? null;
    else return current;
  }
  return current;
}
