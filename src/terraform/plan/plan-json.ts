import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { tooDeep } from '../../parse/json';
import type { Range, SourceFile, Problem } from '../../parse/source';
import { parseNumber, Unevaluated } from '../eval/number';
import { bool, list, map, nil, num, step, str, unknown, type Value } from '../eval/value';

/** A number in the plan, read exactly as Terraform wrote it. */
function planNumber(text: string, origin: Range): Value {
  try {
    const n = parseNumber(text);
    return n ? num(n, origin) : unknown(`${text} is not a number`, origin);
  } catch (e) {
    if (e instanceof Unevaluated) return unknown(e.message, origin);
    throw e;
  }
}

/**
 * Terraform's JSON plan (`terraform show -json plan.out`, format_version 1.x) as
 * resources about to be created or updated, with every value placed in plan.json.
 * https://developer.hashicorp.com/terraform/internals/json-format
 */

/** One resource instance that the plan creates or updates. */
export interface PlanResource {
  /** Terraform's own address, e.g. module.ecr["a"].aws_ecr_repository.this[0]. */
  address: string;
  /** '' for the root module. */
  moduleAddress: string;
  type: string;
  name: string;
  mode: 'managed' | 'data';
  index?: string | number;
  actions: string[];
  /** The resource_change object in plan.json. */
  location: Range;
  /**
   * change.after; each value's origin is its range in plan.json. What after_unknown
   * marks (the whole attribute, or an element deep inside) is unknown, reported at
   * its `true` in after_unknown, since `after` leaves it out (or writes null in a list).
   */
  attributes: Map<string, Value>;
  /**
   * The arguments the configuration writes in this resource's block, from the plan's
   * `configuration` section; an argument written as a literal `null` is left out, since
   * Terraform treats it as unset. Undefined when the plan has no configuration for the
   * resource. Blocks written with `dynamic` are not listed there.
   */
  configured?: ReadonlySet<string>;
  /** Per argument, the `references` the configuration section lists for its expression (`harbor_project.p.id`, `count.index`). */
  references?: ReadonlyMap<string, string[]>;
}

/**
 * resources: what the plan creates or updates, which is judged. unchanged: managed resources
 * that already exist and stay as they are (no-op), which are not judged but still decide what
 * other resources name (the repository behind an image).
 */
export type PlanResult =
  | { ok: true; resources: PlanResource[]; unchanged?: PlanResource[]; variables?: Map<string, Value> }
  | { ok: false; problems: Problem[] };

const UNKNOWN_REASON = 'known only after apply';
/** A plan nests its own structure a few levels around the values, which --max-depth already bounds in the configuration. */
const MAX_PLAN_DEPTH = 512;
const MAX_PROBLEMS = 5;

/** Cheap check: a JSON object with format_version and resource_changes or planned_values. */
export function isPlan(text: string): boolean {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!/^\s*\{/.test(body)) return false;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return false;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const keys = data as Record<string, unknown>;
  return 'format_version' in keys && ('resource_changes' in keys || 'planned_values' in keys);
}

/** The managed resources that a plan creates or updates (replacements included). */
export function readPlan(source: SourceFile): PlanResult {
  const at = (node: JsonNode | undefined, message: string): Problem => ({
    file: source.path,
    ...source.position(node?.offset ?? 0),
    message,
  });

  if (source.text.startsWith('PK\u0003\u0004')) {
    return {
      ok: false,
      problems: [at(undefined, 'this is a binary plan file, not JSON: convert it with `terraform show -json <plan file> > plan.json`')],
    };
  }
  // jsonc-parser recurses once per level: deeper than any plan Terraform writes is an input error, not a stack overflow.
  const deep = tooDeep(source.text, MAX_PLAN_DEPTH);
  if (deep !== undefined)
    return {
      ok: false,
      problems: [
        { file: source.path, ...source.position(deep), message: `more than ${MAX_PLAN_DEPTH} levels deep; not a plan Terraform writes` },
      ],
    };
  const errors: ParseError[] = [];
  const root = parseTree(source.text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    return {
      ok: false,
      problems: errors.slice(0, MAX_PROBLEMS).map((e) => ({ file: source.path, ...source.position(e.offset), message: jsonMessage(e) })),
    };
  }
  if (root?.type !== 'object') {
    return {
      ok: false,
      problems: [
        at(
          root,
          `not a Terraform plan: expected a JSON object (the output of \`terraform show -json <plan file>\`), found ${root ? describe(root) : 'nothing'}`,
        ),
      ],
    };
  }

  const version = property(root, 'format_version');
  const changes = property(root, 'resource_changes');
  const planned = property(root, 'planned_values');
  if (!version || (!changes && !planned)) {
    const message =
      version && property(root, 'values')
        ? 'not a Terraform plan: this is Terraform state (`terraform show -json` without a plan file); run `terraform show -json <plan file>`'
        : 'not a Terraform plan: expected the output of `terraform show -json <plan file>`, an object with "format_version" and "resource_changes" or "planned_values"';
    return { ok: false, problems: [at(root, message)] };
  }
  if (!isString(version) || !/^1\.\d+$/.test(version.value)) {
    const shown = isString(version) ? `"${version.value}"` : describe(version);
    return { ok: false, problems: [at(version, `unsupported plan format_version ${shown}: tagguard reads format 1.x`)] };
  }
  if (!changes || changes.type === 'null') return { ok: true, resources: [] };
  if (changes.type !== 'array')
    return { ok: false, problems: [at(changes, `"resource_changes" must be an array, found ${describe(changes)}`)] };

  const problems: Problem[] = [];
  const resources: PlanResource[] = [];
  const unchanged: PlanResource[] = [];
  const written = configuredArguments(property(root, 'configuration'));
  (changes.children ?? []).forEach((node, i) => {
    const read = readChange(source, node, `resource_changes[${i}]`);
    if ('problem' in read) {
      if (problems.length < MAX_PROBLEMS) problems.push(at(read.node, read.problem));
    } else if (read.resource) {
      const r = read.resource;
      const calls = callNames(r.moduleAddress);
      const block = calls && written.get(configKey(calls, r.mode, r.type, r.name));
      const withConfiguration = block ? { ...r, configured: block.names, references: block.references } : r;
      (r.actions.some((a) => a === 'create' || a === 'update') ? resources : unchanged).push(withConfiguration);
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  const variables = planVariables(source, property(root, 'variables'));
  return { ok: true, resources, ...(unchanged.length ? { unchanged } : {}), ...(variables.size ? { variables } : {}) };
}

/**
 * The root module's variable values the plan was made with (`variables.<name>.value`), each
 * placed in plan.json: the configuration scanned with the plan is evaluated with them, as
 * Terraform evaluated it, not with its defaults.
 */
function planVariables(source: SourceFile, node: JsonNode | undefined): Map<string, Value> {
  const values = new Map<string, Value>();
  if (node?.type !== 'object') return values;
  for (const prop of node.children ?? []) {
    const [key, entry] = prop.children ?? [];
    // A property of a parsed object has its key and its value; the value may be anything.
    if (!isString(key) || (entry as JsonNode | undefined)?.type !== 'object') continue;
    const value = merge(source, property(entry, 'value'), undefined);
    if (value) values.set(key.value, { ...value, trace: [step(range(source, entry), `var.${key.value} in the plan`)] });
  }
  return values;
}

type ChangeRead = { resource?: PlanResource } | { problem: string; node: JsonNode };

function readChange(source: SourceFile, node: JsonNode, where: string): ChangeRead {
  if (node.type !== 'object') return { problem: `${where} must be an object, found ${describe(node)}`, node };
  const fields: Record<string, StringNode> = {};
  for (const key of ['address', 'mode', 'type', 'name']) {
    const value = property(node, key);
    if (!value) return { problem: `${where} has no "${key}"`, node };
    if (!isString(value)) return { problem: `${where}: "${key}" must be a string, found ${describe(value)}`, node: value };
    fields[key] = value;
  }
  const text = { address: fields.address.value, type: fields.type.value, name: fields.name.value };
  const mode = fields.mode.value;
  if (mode !== 'managed' && mode !== 'data') return { problem: `${where} (${text.address}): unknown mode "${mode}"`, node: fields.mode };

  const change = property(node, 'change');
  if (!change) return { problem: `${where} (${text.address}) has no "change"`, node };
  if (change.type !== 'object')
    return { problem: `${where} (${text.address}): "change" must be an object, found ${describe(change)}`, node: change };
  const actionsNode = property(change, 'actions');
  if (actionsNode?.type !== 'array' || (actionsNode.children ?? []).some((a) => a.type !== 'string')) {
    return { problem: `${where} (${text.address}): "change.actions" must be an array of strings`, node: actionsNode ?? change };
  }
  const actions = (actionsNode.children ?? []).map((a) => a.value as string);

  if (mode !== 'managed' || !actions.some((a) => a === 'create' || a === 'update' || a === 'no-op')) return {};

  const moduleNode = property(node, 'module_address');
  const indexNode = property(node, 'index');
  const index =
    indexNode && (indexNode.type === 'string' || indexNode.type === 'number') ? (indexNode.value as string | number) : undefined;

  const attributes = new Map<string, Value>();
  const after = property(change, 'after');
  const marks = property(change, 'after_unknown');
  if (after?.type === 'object' || marks?.type === 'object') {
    const merged = merge(source, after?.type === 'object' ? after : undefined, marks?.type === 'object' ? marks : undefined);
    if (merged?.kind === 'map') for (const [k, v] of merged.entries) attributes.set(k, v);
  }

  return {
    resource: {
      address: text.address,
      moduleAddress: isString(moduleNode) ? moduleNode.value : '',
      type: text.type,
      name: text.name,
      mode,
      ...(index !== undefined ? { index } : {}),
      actions,
      location: range(source, node),
      attributes,
    },
  };
}

/**
 * A value of `after` combined with its counterpart in `after_unknown`: `true` there
 * makes the value unknown; objects and arrays there mark what is unknown inside.
 * Undefined when neither side holds a value (an attribute that is known and absent).
 */
function merge(source: SourceFile, after: JsonNode | undefined, marks: JsonNode | undefined): Value | undefined {
  if (marks?.type === 'boolean' && marks.value === true) return unknown(UNKNOWN_REASON, range(source, marks));
  if (!after) {
    // after leaves out what is unknown; a container marked only partly unknown always has a value in after.
    return undefined;
  }
  const origin = range(source, after);
  if (isString(after)) return str(after.value, origin);
  if (isBoolean(after)) return bool(after.value, origin);
  switch (after.type) {
    case 'number':
      return planNumber(source.text.slice(after.offset, after.offset + after.length), origin);
    case 'null':
      return nil(origin);
    case 'array': {
      const inner = marks?.type === 'array' ? (marks.children ?? []) : [];
      return list(
        (after.children ?? []).map((child, i) => merge(source, child, inner[i]) ?? nil(range(source, child))),
        origin,
      );
    }
    case 'object': {
      const entries = new Map<string, Value>();
      const inner = marks?.type === 'object' ? marks : undefined;
      for (const [key, child] of properties(after)) {
        const value = merge(source, child, inner && property(inner, key));
        if (value) entries.set(key, value);
      }
      for (const [key, mark] of inner ? properties(inner) : []) {
        if (entries.has(key)) continue;
        const value = merge(source, undefined, mark);
        if (value) entries.set(key, value);
      }
      return map(entries, origin);
    }
    default:
      return undefined;
  }
}

const configKey = (calls: string[], mode: string, type: string, name: string) => JSON.stringify([calls, mode, type, name]);

/**
 * What the configuration section says each resource block writes, by module call path
 * and resource: `configuration.root_module.resources[].expressions`, and the same under
 * `module_calls.<name>.module`, nested. An expression is an object (`constant_value`,
 * `references`), or for a nested block a list of such maps; Terraform leaves
 * `expressions` out of a resource block that writes nothing. A part that is not shaped
 * as Terraform writes it is skipped: the values of the plan then decide alone.
 */
function configuredArguments(
  configuration: JsonNode | undefined,
): Map<string, { names: ReadonlySet<string>; references: ReadonlyMap<string, string[]> }> {
  const out = new Map<string, { names: ReadonlySet<string>; references: ReadonlyMap<string, string[]> }>();
  const visit = (module: JsonNode | undefined, calls: string[]) => {
    if (module?.type !== 'object' || calls.length > MAX_MODULE_DEPTH) return;
    const resources = property(module, 'resources');
    for (const r of resources?.type === 'array' ? (resources.children ?? []) : []) {
      if (r.type !== 'object') continue;
      const [mode, type, name] = ['mode', 'type', 'name'].map((k) => property(r, k));
      if (!isString(mode) || !isString(type) || !isString(name)) continue;
      const expressions = property(r, 'expressions');
      if (expressions && expressions.type !== 'object') continue;
      const written = (expressions ? properties(expressions) : []).filter(([, e]) => !isNullConstant(e));
      const references = new Map<string, string[]>();
      for (const [k, e] of written) {
        const list = e.type === 'object' ? property(e, 'references') : undefined;
        const strings = list?.type === 'array' ? (list.children ?? []).filter(isString).map((n) => n.value) : [];
        if (strings.length) references.set(k, strings);
      }
      out.set(configKey(calls, mode.value, type.value, name.value), { names: new Set(written.map(([k]) => k)), references });
    }
    const moduleCalls = property(module, 'module_calls');
    for (const [call, body] of moduleCalls?.type === 'object' ? properties(moduleCalls) : []) {
      if (body.type === 'object') visit(property(body, 'module'), [...calls, call]);
    }
  };
  if (configuration?.type === 'object') visit(property(configuration, 'root_module'), []);
  return out;
}

/** Terraform's module nesting is bounded by the configuration; this bounds a hand-made file. */
const MAX_MODULE_DEPTH = 100;

/** `{"constant_value": null}`: an argument written as null, which Terraform treats as unset. */
function isNullConstant(expression: JsonNode): boolean {
  if (expression.type !== 'object') return false;
  const entries = properties(expression);
  return entries.length === 1 && entries[0][0] === 'constant_value' && entries[0][1].type === 'null';
}

/** The call names along a module instance address: `module.a["k"].module.b[0]` is ["a", "b"]; '' is the root. */
export function callNames(moduleAddress: string): string[] | undefined {
  const names: string[] = [];
  const step = /module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:-?\d+|"(?:[^"\\]|\\.)*")\])?(?:\.|$)/y;
  while (step.lastIndex < moduleAddress.length) {
    const m = step.exec(moduleAddress);
    if (!m) return undefined;
    names.push(m[1]);
  }
  return names;
}

/** jsonc-parser types every node's value as any; a string node holds a string, a boolean node a boolean. */
type StringNode = Omit<JsonNode, 'type' | 'value'> & { type: 'string'; value: string };
type BooleanNode = Omit<JsonNode, 'type' | 'value'> & { type: 'boolean'; value: boolean };

function isString(node: JsonNode | undefined): node is StringNode {
  return node?.type === 'string' && typeof node.value === 'string';
}

function isBoolean(node: JsonNode): node is BooleanNode {
  return node.type === 'boolean' && typeof node.value === 'boolean';
}

function range(source: SourceFile, node: JsonNode): Range {
  return source.range(node.offset, node.offset + node.length);
}

/** An object's properties in order; a repeated key keeps its last value, as JSON.parse does. */
function properties(node: JsonNode): [string, JsonNode][] {
  const out = new Map<string, JsonNode>();
  for (const prop of node.children ?? []) {
    const key = prop.children?.at(0);
    const value = prop.children?.at(1);
    if (key && value && typeof key.value === 'string') {
      out.delete(key.value);
      out.set(key.value, value);
    }
  }
  return [...out];
}

function property(node: JsonNode, name: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  for (const prop of node.children ?? []) {
    const key = prop.children?.at(0);
    const value = prop.children?.at(1);
    if (key?.value === name && value) found = value;
  }
  return found;
}

function describe(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return `a ${node.type} (${JSON.stringify(node.value)})`;
  }
}

function jsonMessage(e: ParseError): string {
  const words = printParseErrorCode(e.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `invalid JSON in plan file: ${words}`;
}
