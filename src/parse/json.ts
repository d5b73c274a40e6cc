import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { emptyBody, parseHclExpression } from './hcl';
import { SourceFile, type Range, type SyntaxProblem } from './source';
import type { Block, Body, Expr, ParsedFile } from './syntax';
import type { ParseResult } from './hcl';

/** How many labels each top-level block type has in Terraform's JSON syntax. */
const LABELS: Record<string, number> = {
  resource: 2,
  data: 2,
  variable: 1,
  module: 1,
  output: 1,
  provider: 1,
  locals: 0,
  terraform: 0,
};

/** Terraform JSON syntax (`.tf.json`, `.tofu.json`, `cdk.tf.json`) as the shared syntax tree. */
export async function parseTerraformJson(source: SourceFile): Promise<ParseResult> {
  const errors: ParseError[] = [];
  const root = parseTree(source.text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) {
    return {
      ok: false,
      problems: errors.slice(0, 5).map((e) => ({ ...problemAt(source, e.offset), message: jsonMessage(e) })),
    };
  }
  if (!root || root.type !== 'object') {
    return { ok: false, problems: [{ ...problemAt(source, root?.offset ?? 0), message: 'a Terraform JSON file must hold one object at the top level' }] };
  }
  const reader = new JsonReader(source);
  const body = emptyBody();
  for (const [key, value] of properties(root)) {
    const labels = LABELS[key];
    if (labels === undefined) continue;
    body.blocks.push(...(await reader.blocks(key, value, labels)));
  }
  return { ok: true, file: { path: source.path, syntax: 'json', body, comments: [] } };
}

/** A JSON variables file (`*.tfvars.json`): top-level properties are assignments. */
export async function parseTerraformJsonValues(source: SourceFile): Promise<{ ok: true; values: Map<string, Expr> } | { ok: false; problems: SyntaxProblem[] }> {
  const errors: ParseError[] = [];
  const root = parseTree(source.text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) return { ok: false, problems: errors.slice(0, 5).map((e) => ({ ...problemAt(source, e.offset), message: jsonMessage(e) })) };
  if (!root || root.type !== 'object') return { ok: false, problems: [{ ...problemAt(source, root?.offset ?? 0), message: 'a variables file must hold one object' }] };
  const reader = new JsonReader(source, false);
  const values = new Map<string, Expr>();
  for (const [key, value] of properties(root)) values.set(key, await reader.expression(value));
  return { ok: true, values };
}

function problemAt(source: SourceFile, offset: number): SyntaxProblem {
  return { file: source.path, ...source.position(offset), message: '' };
}

function jsonMessage(e: ParseError): string {
  const words = printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `invalid JSON: ${words}`;
}

function properties(node: JsonNode): Array<[string, JsonNode]> {
  const out: Array<[string, JsonNode]> = [];
  for (const prop of node.children ?? []) {
    const [key, value] = prop.children ?? [];
    if (key && value && typeof key.value === 'string') out.push([key.value, value]);
  }
  return out;
}

class JsonReader {
  /** templates: whether strings may hold `${…}` (not in variables files). */
  constructor(
    private readonly source: SourceFile,
    private readonly templates = true,
  ) {}

  range(node: JsonNode): Range {
    return this.source.range(node.offset, node.offset + node.length);
  }

  /** Labels are nested object keys; the innermost object (or each object of a list) is a body. */
  async blocks(type: string, node: JsonNode, labels: number, prefix: string[] = []): Promise<Block[]> {
    if (prefix.length === labels) {
      const bodies = node.type === 'array' ? (node.children ?? []) : [node];
      const out: Block[] = [];
      for (const b of bodies) {
        if (b.type !== 'object') continue;
        const constructPath = findNodeAtLocation(b, ['//', 'metadata', 'path'])?.value;
        out.push({ type, labels: prefix, body: await this.body(b), range: this.range(b), ...(typeof constructPath === 'string' ? { constructPath } : {}) });
      }
      return out;
    }
    if (node.type !== 'object') return [];
    const out: Block[] = [];
    for (const [key, value] of properties(node)) out.push(...(await this.blocks(type, value, labels, [...prefix, key])));
    return out;
  }

  async body(node: JsonNode): Promise<Body> {
    const body = emptyBody();
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (!key || !value || key.value === '//') continue;
      body.attributes.set(String(key.value), { name: String(key.value), expr: await this.expression(value), range: this.range(prop) });
    }
    return body;
  }

  async expression(node: JsonNode): Promise<Expr> {
    const range = this.range(node);
    switch (node.type) {
      case 'string':
        return this.templates && /[$%]\{/.test(node.value) ? this.template(node.value, range) : { kind: 'literal', value: node.value, range };
      case 'number':
      case 'boolean':
      case 'null':
        return { kind: 'literal', value: node.value, range };
      case 'array':
        return { kind: 'tuple', items: await Promise.all((node.children ?? []).map((c) => this.expression(c)), ), range };
      default: {
        const items: Array<{ key: Expr; value: Expr }> = [];
        for (const prop of node.children ?? []) {
          const [key, value] = prop.children ?? [];
          if (!key || !value || key.value === '//') continue;
          items.push({ key: { kind: 'literal', value: String(key.value), range: this.range(key) }, value: await this.expression(value) });
        }
        return { kind: 'object', items, range };
      }
    }
  }

  /** A JSON string holding `${…}` is an HCL template; its parts are reported at the string. */
  async template(text: string, range: Range): Promise<Expr> {
    const quoted = '"' + text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
    const expr = await parseHclExpression(new SourceFile(range.file, quoted), quoted);
    return expr ? relocate(expr, range) : { kind: 'unsupported', syntax: 'template', range };
  }
}

function relocate<T>(value: T, range: Range): T {
  if (Array.isArray(value)) return value.map((v) => relocate(v, range)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'range' ? range : relocate(v, range);
    return out as T;
  }
  return value;
}
