import { lazy } from '../lazy';
import { PolicyError } from './errors';

// Loaded only when a custom policy runs.
const loadAjv = lazy<typeof import('ajv')>(require, 'ajv');

/** A place as the policy input spells it (design.md: snake case, 1-based). */
const LOCATION = {
  type: 'object',
  required: ['file', 'line', 'column'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    end_line: { type: 'integer' },
    end_column: { type: 'integer' },
  },
} as const;

/** What a custom policy's `deny` may return: one finding or a set of them; tagguard fills what is left out (engine.ts rawFindings). */
const FINDING = {
  type: 'object',
  properties: {
    ruleId: { type: 'string' },
    severity: { enum: ['error', 'warning', 'note'] },
    message: { type: 'string' },
    resource: { type: 'string' },
    root: { type: 'string' },
    location: { anyOf: [{ type: 'null' }, LOCATION] },
    trace: {
      type: 'array',
      items: { ...LOCATION, required: [...LOCATION.required, 'note'], properties: { ...LOCATION.properties, note: { type: 'string' } } },
    },
  },
} as const;

/** What a custom policy's `rule` may return: its descriptor, with an id at least. */
const DESCRIPTOR = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    severity: { type: 'string' },
    links: { type: 'array', items: { type: 'string' } },
    aliases: { type: 'array', items: { type: 'string' } },
    resource_types: { type: 'array', items: { type: 'string' } },
    recommended_action: { type: 'string' },
  },
} as const;

const listOf = (item: object) => ({ type: 'array', items: item });

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
const compiled = new Map<'finding' | 'descriptor', Validate>();

function validator(kind: 'finding' | 'descriptor'): Validate {
  let validate = compiled.get(kind);
  if (!validate) {
    const Ajv = loadAjv().default;
    validate = new Ajv().compile(listOf(kind === 'finding' ? FINDING : DESCRIPTOR));
    compiled.set(kind, validate);
  }
  return validate;
}

/**
 * A custom policy's result, checked before it is read as findings or descriptors: a
 * result of another shape is a policy error naming the policy, the entry point and
 * the first thing wrong, never a finding with a wrong place or a crash later on.
 */
export function checkResult(kind: 'finding' | 'descriptor', result: unknown, policy: string, entrypoint: string): unknown {
  // A rule returns a set (an array), one object, or nothing (engine.ts asList).
  if (result === undefined || result === null) return result;
  const validate = validator(kind);
  if (validate(Array.isArray(result) ? result : [result])) return result;
  const e = validate.errors?.[0];
  const path = Array.isArray(result) ? e?.instancePath : e?.instancePath.replace(/^\/0/, '');
  const at = path ? `${path.slice(1).replace(/\//g, '.')} ` : '';
  const expected =
    kind === 'finding' ? 'findings ({"message", "resource", "root", "location", …})' : 'a rule descriptor ({"id", "title", "severity", …})';
  throw new PolicyError(`policy ${policy}: ${entrypoint} returned a result that is not ${expected}: ${at}${e?.message ?? 'is invalid'}`);
}
