import { existsSync } from 'node:fs';
import path from 'node:path';
import { readTextFile } from '../discover/read';
import type { Node } from 'yaml';
import schema from './config-schema.json';

export interface Config {
  allowed_mutable_tags?: string[];
  unknown?: 'warn' | 'error' | 'ignore';
  severity?: Record<string, 'error' | 'warning' | 'note' | 'off'>;
  exclude?: string[];
  var_files?: string[];
  policies?: string[];
  max_file_size?: number | string;
  max_depth?: number;
  engine?: 'terraform' | 'tofu';
}

export interface LoadedConfig {
  file: string;
  dir: string;
  config: Config;
}

export class ConfigError extends Error {}

const NAMES = ['.tagguard.yml', '.tagguard.yaml'];

/** The nearest .tagguard.yml from `cwd` upward, validated against the schema. */
export function findConfig(cwd: string): LoadedConfig | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of NAMES) {
      const file = path.join(dir, name);
      if (existsSync(file)) return { file, dir, config: loadConfig(file, cwd) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Parses and validates one config file; errors name file:line:column. */
/** A configuration file is a few lines; the bound is against a link to a file that never ends. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadConfig(file: string, cwd: string): Config {
  // Loaded only when there is a config file: they cost more start-up than the rest of the CLI.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const validate = new Ajv({ allErrors: true }).compile<Config>(schema);
  const display = path.relative(cwd, file) || file;
  const lines = new LineCounter();
  const read = readTextFile(file, MAX_CONFIG_BYTES);
  if (!read.ok) throw new ConfigError(`${display}: ${read.message}`);
  const doc = parseDocument(read.text, { lineCounter: lines });
  const where = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return `${display}:${p.line}:${p.col}`;
  };
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n'));
  const data = (doc.toJS() ?? {}) as unknown;
  if (validate(data)) return data;
  const messages = (validate.errors ?? []).map((e) => {
    const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const node = nodeAt(doc.contents as Node | null, segments);
    const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the file';
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isMap, isSeq } = require('yaml') as typeof import('yaml');
  let current: Node | null = node;
  for (const s of segments) {
    if (isMap(current)) current = (current.get(s, true) as Node | undefined) ?? null;
    else if (isSeq(current)) current = (current.get(Number(s), true) as Node | undefined) ?? null;
    else return current;
  }
  return current;
}
