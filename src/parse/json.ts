import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { DEFAULT_MAX_DEPTH, emptyBody, parseHclTemplate } from './hcl';
import { SourceFile, type Range, type Problem } from './source';
import type { Block, Body, Expr } from './syntax';
import type { ParseResult } from './hcl';
import { jsonDynamicBlocks } from './json-dynamic';

/** How many labels each top-level block type has in Terraform's JSON syntax. */
const LABELS: Partial<Record<string, number>> = {
  resource: 2,
  data: 2,
  variable: 1,
  module: 1,
  output: 1,
  provider: 1,
  locals: 0,
  terraform: 0,
};

export interface JsonOptions {
  maxDepth?: number;
}

/** Terraform JSON syntax (`.tf.json`, `.tofu.json`, `cdk.tf.json`) as the shared syntax tree. */
export async function parseTerraformJson(source: SourceFile, options: JsonOptions = {}): Promise<ParseResult> {
  const parsed = parseJson(source, options);
  if (!parsed.ok) return parsed;
  const root = parsed.root;
  if (root.type !== 'object') {
    return {
      ok: false,
      problems: [{ ...problemAt(source, root.offset), message: 'a Terraform JSON file must hold one object at the top level' }],
    };
  }
  const reader = new JsonReader(source);
  const body = emptyBody();
  for (const [key, value] of properties(root)) {
    const labels = LABELS[key];
    if (labels === undefined) continue;
    body.blocks.push(...(await reader.blocks(key, value, labels)));
  }
  // Terraform rejects the whole file when a block has the wrong JSON type; so do we.
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems };
  return { ok: true, file: { path: source.path, syntax: 'json', body, comments: [] } };
}

/** A JSON variables file (`*.tfvars.json`): top-level properties are assignments. */
export async function parseTerraformJsonValues(
  source: SourceFile,
  options: JsonOptions = {},
): Promise<{ ok: true; values: Map<string, Expr> } | { ok: false; problems: Problem[] }> {
  const parsed = parseJson(source, options);
  if (!parsed.ok) return parsed;
  const root = parsed.root;
  if (root.type !== 'object')
    return { ok: false, problems: [{ ...problemAt(source, root.offset), message: 'a variables file must hold one object' }] };
  const reader = new JsonReader(source, false);
  const values = new Map<string, Expr>();
  for (const [key, value] of properties(root)) values.set(key, await reader.expression(value));
  return { ok: true, values };
}

/**
 * The syntax tree of a JSON text, or its first error: later errors mostly follow
 * from the first, as in Terraform, which reports one.
 */
function parseJson(source: SourceFile, options: JsonOptions): { ok: true; root: JsonNode } | { ok: false; problems: Problem[] } {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Checked before parsing: jsonc-parser recurses per level and overflows the stack near 10,000.
  const deep = tooDeep(source.text, maxDepth);
  if (deep !== undefined)
    return { ok: false, problems: [{ ...problemAt(source, deep), message: `more than ${maxDepth} levels deep (--max-depth)` }] };
  const errors: ParseError[] = [];
  const root = parseTree(source.text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors.at(0);
  if (first) return { ok: false, problems: [{ ...problemAt(source, first.offset), message: jsonMessage(source, first) }] };
  if (!root) return { ok: false, problems: [{ ...problemAt(source, 0), message: 'invalid JSON: value expected' }] };
  return { ok: true, root };
}

/** The offset of the first `{` or `[` that opens level maxDepth + 1, if any. */
export function tooDeep(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') {
      if (++depth > maxDepth) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}

function problemAt(source: SourceFile, offset: number): Problem {
  return { file: source.path, ...source.position(offset), message: '' };
}

function jsonMessage(source: SourceFile, e: ParseError): string {
  // InvalidSymbol: name the text, which is often HCL written into a .tf.json file.
  if (printParseErrorCode(e.error) === 'InvalidSymbol' && e.length > 0)
    return `invalid JSON: unexpected ${JSON.stringify(source.text.slice(e.offset, e.offset + Math.min(e.length, 40)))}`;
  const words = printParseErrorCode(e.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `invalid JSON: ${words}`;
}

const JSON_TYPES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  array: 'an array',
  object: 'an object',
};

function properties(node: JsonNode): [string, JsonNode][] {
  const out: [string, JsonNode][] = [];
  for (const prop of node.children ?? []) {
    const [key, value] = keyAndValue(prop);
    if (key && value && typeof key.value === 'string') out.push([key.value, value]);
  }
  return out;
}

/** A property node's key and value; either is missing only in a damaged tree. */
function keyAndValue(prop: JsonNode): [JsonNode | undefined, JsonNode | undefined] {
  return [prop.children?.at(0), prop.children?.at(1)];
}

class JsonReader {
  /** Blocks of the wrong JSON type. */
  readonly problems: Problem[] = [];

  /** templates: whether strings may hold `${…}` (not in variables files). */
  constructor(
    private readonly source: SourceFile,
    private readonly templates = true,
  ) {}

  range(node: JsonNode): Range {
    return this.source.range(node.offset, node.offset + node.length);
  }

  /**
   * Labels are nested object keys; the innermost object is a body. At every level an
   * array of objects stands for each of its objects, as in HCL's JSON syntax.
   */
  async blocks(type: string, node: JsonNode, labels: number, prefix: string[] = []): Promise<Block[]> {
    const out: Block[] = [];
    for (const b of node.type === 'array' ? (node.children ?? []) : [node]) {
      if (b.type !== 'object') {
        const what = prefix.length === labels ? "the block's body" : 'keyed by block label';
        const name = [type, ...prefix.map((l) => JSON.stringify(l))].join(' ');
        this.problems.push({
          ...problemAt(this.source, b.offset),
          message: `${name} must be a JSON object (${what}) or an array of objects, not ${JSON_TYPES[b.type] ?? b.type}`,
        });
        continue;
      }
      if (prefix.length < labels) {
        for (const [key, value] of properties(b)) if (key !== '//') out.push(...(await this.blocks(type, value, labels, [...prefix, key])));
        continue;
      }
      const constructPath: unknown = findNodeAtLocation(b, ['//', 'metadata', 'path'])?.value;
      const madeBy: unknown = findNodeAtLocation(b, ['//', 'tagguard', 'construct'])?.value;
      const madeIn: unknown = findNodeAtLocation(b, ['//', 'tagguard', 'stack'])?.value;
      const body = await this.body(b);
      // `"dynamic"` in a resource holds dynamic blocks, as `dynamic "x" {…}` does in HCL: read as those blocks, so that overrides and evaluation treat both syntaxes alike.
      const dynamic = (type === 'resource' || type === 'data') && body.attributes.get('dynamic');
      if (dynamic) {
        body.attributes.delete('dynamic');
        body.blocks.push(...jsonDynamicBlocks(dynamic.expr));
      }
      out.push({
        type,
        labels: prefix,
        body,
        range: this.range(b),
        ...(typeof constructPath === 'string' ? { constructPath } : {}),
        ...(typeof madeBy === 'string' ? { madeBy: { construct: madeBy, ...(typeof madeIn === 'string' ? { stack: madeIn } : {}) } } : {}),
      });
    }
    return out;
  }

  /**
   * A key given twice is two blocks when both hold objects (HCL's JSON syntax makes a
   * block of each), and otherwise Terraform's "Duplicate argument" error.
   */
  async body(node: JsonNode): Promise<Body> {
    const body = emptyBody();
    for (const prop of node.children ?? []) {
      const [key, value] = keyAndValue(prop);
      if (!key || !value || key.value === '//') continue;
      const name = String(key.value);
      const expr = await this.expression(value);
      const earlier = body.attributes.get(name);
      if (!earlier) {
        body.attributes.set(name, { name, expr, range: this.range(prop) });
        continue;
      }
      if (blockLike(earlier.expr) && blockLike(expr)) {
        const items = [earlier.expr, expr].flatMap((e) => (e.kind === 'tuple' ? e.items : [e]));
        body.attributes.set(name, { ...earlier, expr: { kind: 'tuple', items, range: earlier.expr.range } });
        continue;
      }
      const first = earlier.range;
      this.problems.push({
        ...problemAt(this.source, key.offset),
        message: `Duplicate argument: The argument "${name}" was already set at ${first.file}:${first.line},${first.column}. Each argument may be set only once.`,
      });
    }
    return body;
  }

  async expression(node: JsonNode): Promise<Expr> {
    const range = this.range(node);
    switch (node.type) {
      // jsonc-parser types a node's value as any; its node type says which it is.
      case 'string': {
        const value = node.value as string;
        return this.templates && /[$%]\{/.test(value) ? this.template(value, range) : { kind: 'literal', value, range };
      }
      case 'number':
        return {
          kind: 'literal',
          value: node.value as number,
          text: this.source.text.slice(node.offset, node.offset + node.length),
          range,
        };
      case 'boolean':
      case 'null':
        return { kind: 'literal', value: node.value as boolean | null, range };
      case 'array':
        return { kind: 'tuple', items: await Promise.all((node.children ?? []).map((c) => this.expression(c))), range };
      default: {
        const items: { key: Expr; value: Expr }[] = [];
        for (const prop of node.children ?? []) {
          const [key, value] = keyAndValue(prop);
          if (!key || !value || key.value === '//') continue;
          items.push({ key: { kind: 'literal', value: String(key.value), range: this.range(key) }, value: await this.expression(value) });
        }
        return { kind: 'object', items, range };
      }
    }
  }

  /** A JSON string holding `${…}` or `%{…}` is an HCL template; its parts are reported at the string. */
  async template(text: string, range: Range): Promise<Expr> {
    const expr = await parseHclTemplate({ path: range.file }, text);
    return expr ? relocate(expr, range) : { kind: 'unsupported', syntax: 'template', range };
  }
}

/** An object, or a list of objects: what a nested block is written as in JSON. */
function blockLike(expr: Expr): boolean {
  return expr.kind === 'object' || (expr.kind === 'tuple' && expr.items.length > 0 && expr.items.every((i) => i.kind === 'object'));
}

function relocate<T>(value: T, range: Range): T {
  if (Array.isArray(value)) return (value as unknown[]).map((v) => relocate(v, range)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Text parts are placed at the string too (a template without textRanges places them at its range).
    for (const [k, v] of Object.entries(value)) if (k !== 'textRanges') out[k] = k === 'range' ? range : relocate(v, range);
    return out as T;
  }
  return value;
}
