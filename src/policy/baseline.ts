import { lazy } from '../lazy';
import { compareText, type Finding } from './findings';

// Loaded only when a baseline is used.
const loadAjv = lazy<typeof import('ajv')>(require, 'ajv');
const loadJsoncParser = lazy<typeof import('jsonc-parser')>(require, 'jsonc-parser');

/**
 * A record of accepted findings. Entries are matched by root, resource address and
 * rule, never by line, so that moving code does not bring a finding back.
 */
export interface Baseline {
  version: 1;
  findings: { ruleId: string; root: string; resource: string }[];
}

function key(f: { ruleId: string; root: string; resource: string }): string {
  return JSON.stringify([f.root, f.resource, f.ruleId]);
}

export function createBaseline(findings: Finding[]): Baseline {
  const entries = new Map(
    findings.filter((f) => !f.suppression && f.resource).map((f) => [key(f), { ruleId: f.ruleId, root: f.root, resource: f.resource }]),
  );
  return { version: 1, findings: [...entries.entries()].sort(([a], [b]) => compareText(a, b)).map(([, e]) => e) };
}

/** What --create-baseline writes; anything else is refused before a finding is compared with it. */
const SCHEMA = {
  type: 'object',
  required: ['version', 'findings'],
  properties: {
    version: { const: 1 },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ruleId', 'root', 'resource'],
        additionalProperties: false,
        properties: { ruleId: { type: 'string' }, root: { type: 'string' }, resource: { type: 'string' } },
      },
    },
  },
} as const;

const EXPECTED = 'expected {"version": 1, "findings": [{"ruleId": …, "root": …, "resource": …}, …]} as --create-baseline writes';

/** Reads a baseline file's text; throws a plain message, naming the first thing wrong and where, when it is not one. */
export function parseBaseline(text: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`not a tagguard baseline: not JSON${jsonErrorPlace(text)}; ${EXPECTED}`);
  }
  const Ajv = loadAjv().default;
  const validate = new Ajv().compile<Baseline>(SCHEMA);
  if (validate(data)) return data;
  const e = validate.errors?.at(0);
  if (!e) throw new Error(`not a tagguard baseline; ${EXPECTED}`);
  const at = e.instancePath
    ? e.instancePath
        .slice(1)
        .split('/')
        .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : `${i ? '.' : ''}${s}`))
        .join('')
    : 'the file';
  const detail =
    e.keyword === 'required'
      ? `has no "${(e.params as { missingProperty: string }).missingProperty}"`
      : e.keyword === 'additionalProperties'
        ? `has an unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : e.keyword === 'const'
          ? 'must be 1'
          : `${e.message ?? 'is invalid'}, not ${describe(valueAt(data, e.instancePath))}`;
  throw new Error(`not a tagguard baseline: ${at} ${detail}; ${EXPECTED}`);
}

/** Where JSON.parse failed, as ` at line L, column C`: jsonc-parser gives the offset in every Node version (V8's messages differ). */
function jsonErrorPlace(text: string): string {
  if (text.trim() === '') return ' (the file is empty)';
  const { parse } = loadJsoncParser();
  const errors: import('jsonc-parser').ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors.at(0);
  if (!first) return '';
  const before = text.slice(0, first.offset).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1) ?? '').length + 1}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (v, key) =>
        v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined,
      data,
    );
}

function describe(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : typeof value === 'string'
          ? 'a string'
          : `a ${typeof value}`;
}

/** The findings that the baseline does not list. */
export function newFindings(findings: Finding[], baseline: Baseline): Finding[] {
  const known = new Set(baseline.findings.map(key));
  return findings.filter((f) => !known.has(key(f)));
}
