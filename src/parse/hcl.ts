import { readFile } from 'node:fs/promises';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { SourceFile, SyntaxProblem } from './source';
import type { Attribute, Block, Body, Expr, ParsedFile, TraversalStep } from './syntax';

let parser: Promise<Parser> | undefined;

/** The HCL parser, loaded once per process: grammar loading is the costly part. */
export function hclParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    // Bytes, not a path: loading by path makes web-tree-sitter import node:fs dynamically.
    const grammar = await Language.load(await readFile(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm')));
    const p = new Parser();
    p.setLanguage(grammar);
    return p;
  })();
  return parser;
}

export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; problems: SyntaxProblem[] };

export async function parseHcl(source: SourceFile): Promise<ParseResult> {
  const p = await hclParser();
  const tree = p.parse(source.text);
  if (!tree) return { ok: false, problems: [{ file: source.path, line: 1, column: 1, message: 'the parser gave up on this file' }] };
  try {
    if (tree.rootNode.hasError) return { ok: false, problems: describeErrors(source, tree.rootNode) };
    const body = tree.rootNode.namedChildren.find((n) => n?.type === 'body');
    return { ok: true, file: { path: source.path, syntax: 'hcl', body: body ? new HclReader(source).body(body) : emptyBody() } };
  } finally {
    tree.delete();
  }
}

/** Parses one expression written as text, such as a template inside a JSON string. */
export async function parseHclExpression(source: SourceFile, text: string): Promise<Expr | undefined> {
  const p = await hclParser();
  const tree = p.parse(`x = ${text}\n`);
  if (!tree) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const attr = tree.rootNode.descendantsOfType('attribute')[0];
    const expr = attr?.childForFieldName('val') ?? attr?.namedChildren[1];
    return expr ? new HclReader(source).expression(expr) : undefined;
  } finally {
    tree.delete();
  }
}

export function emptyBody(): Body {
  return { attributes: new Map(), blocks: [] };
}

class HclReader {
  constructor(private readonly source: SourceFile) {}

  range(node: Node) {
    return this.source.range(node.startIndex, node.endIndex);
  }

  body(node: Node): Body {
    const body = emptyBody();
    for (const child of node.namedChildren) {
      if (child?.type === 'attribute') {
        const attr = this.attribute(child);
        body.attributes.set(attr.name, attr);
      } else if (child?.type === 'block') {
        body.blocks.push(this.block(child));
      }
    }
    return body;
  }

  attribute(node: Node): Attribute {
    const [name, value] = node.namedChildren;
    return { name: name!.text, expr: this.expression(value!), range: this.range(node) };
  }

  block(node: Node): Block {
    const labels: string[] = [];
    let body = emptyBody();
    let type = '';
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'identifier' && !type) type = child.text;
      else if (child.type === 'identifier') labels.push(child.text);
      else if (child.type === 'string_lit') labels.push(unescapeQuoted(child.namedChildren.filter((c) => c?.type === 'template_literal').map((c) => c!.text).join('')));
      else if (child.type === 'body') body = this.body(child);
    }
    return { type, labels, body, range: this.range(node) };
  }

  expression(node: Node): Expr {
    const children = node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
    if (node.type !== 'expression') return this.term(node);
    const [primary, ...postfix] = children;
    if (!primary) return this.unsupported(node);
    if (postfix.length === 0) return primary.type === 'expression' ? this.expression(primary) : this.term(primary);
    if (primary.type !== 'variable_expr') return this.unsupported(node);
    const steps: TraversalStep[] = [];
    for (const op of postfix) {
      const step = this.step(op);
      if (!step) return this.unsupported(node);
      steps.push(...step);
    }
    return { kind: 'traversal', root: primary.text, steps, range: this.range(node) };
  }

  step(node: Node): TraversalStep[] | undefined {
    switch (node.type) {
      case 'get_attr':
        return [{ kind: 'attr', name: node.namedChildren[0]!.text }];
      case 'index': {
        const inner = node.namedChildren[0];
        const key = inner?.namedChildren[0];
        if (!inner || !key) return undefined;
        // legacy_index is the old `a.0` form: the key is a number literal.
        if (inner.type === 'legacy_index') return [{ kind: 'index', key: { kind: 'literal', value: Number(key.text), range: this.range(key) } }];
        return [{ kind: 'index', key: this.expression(key) }];
      }
      case 'splat': {
        const steps: TraversalStep[] = [{ kind: 'splat' }];
        const inner = node.namedChildren[0];
        for (const op of inner?.namedChildren ?? []) {
          const s = op && this.step(op);
          if (!s) return undefined;
          steps.push(...s);
        }
        return steps;
      }
      default:
        return undefined;
    }
  }

  term(node: Node): Expr {
    const range = this.range(node);
    switch (node.type) {
      case 'expression':
        return this.expression(node);
      case 'literal_value':
        return this.term(node.namedChildren[0]!);
      case 'numeric_lit':
        return { kind: 'literal', value: Number(node.text), range };
      case 'bool_lit':
        return { kind: 'literal', value: node.text === 'true', range };
      case 'null_lit':
        return { kind: 'literal', value: null, range };
      case 'string_lit':
      case 'quoted_template':
        return this.template(node, false);
      case 'heredoc_template':
        return this.template(node, true);
      case 'template_expr':
      case 'collection_value':
        return this.term(node.namedChildren[0]!);
      case 'variable_expr':
        return { kind: 'traversal', root: node.text, steps: [], range };
      case 'tuple':
        return { kind: 'tuple', items: node.namedChildren.filter((c) => c?.type === 'expression').map((c) => this.expression(c!)), range };
      case 'object':
        return {
          kind: 'object',
          items: node.namedChildren
            .filter((c) => c?.type === 'object_elem')
            .map((elem) => {
              const [key, value] = elem!.namedChildren.filter((c) => c?.type === 'expression');
              return { key: this.objectKey(key!), value: this.expression(value!) };
            }),
          range,
        };
      default:
        return this.unsupported(node);
    }
  }

  /** A bare identifier as an object key is the key's name, not a variable. */
  objectKey(node: Node): Expr {
    const only = node.namedChildren.length === 1 ? node.namedChildren[0] : null;
    if (only?.type === 'variable_expr') return { kind: 'literal', value: only.text, range: this.range(only) };
    return this.expression(node);
  }

  template(node: Node, heredoc: boolean): Expr {
    const parts: Array<string | Expr> = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'template_literal') parts.push(heredoc ? unescapeTemplateMarks(child.text) : unescapeQuoted(child.text));
      else if (child.type === 'template_interpolation') {
        const inner = child.namedChildren.find((c) => c?.type === 'expression');
        if (inner) parts.push(this.expression(inner));
      } else if (child.type === 'template_directive') return this.unsupported(node);
    }
    if (heredoc && node.namedChildren.some((c) => c?.type === 'heredoc_start' && c.text.startsWith('<<-'))) dedent(parts);
    if (parts.length === 0) parts.push('');
    if (parts.every((p) => typeof p === 'string')) return { kind: 'literal', value: parts.join(''), range: this.range(node) };
    return { kind: 'template', parts, range: this.range(node) };
  }

  unsupported(node: Node): Expr {
    return { kind: 'unsupported', syntax: node.type, range: this.range(node) };
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

function unescapeQuoted(text: string): string {
  return unescapeTemplateMarks(
    text.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (m, e: string) =>
      e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? m),
    ),
  );
}

function unescapeTemplateMarks(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** `<<-` heredocs lose the indentation common to all their non-blank lines. */
function dedent(parts: Array<string | Expr>): void {
  const lineStarts = (i: number, segments: string[]) => segments.map((_, j) => j > 0 || i === 0);
  let cut = Infinity;
  parts.forEach((p, i) => {
    if (typeof p !== 'string') return;
    const segments = p.split('\n');
    const starts = lineStarts(i, segments);
    segments.forEach((seg, j) => {
      if (starts[j] && seg.trim() !== '') cut = Math.min(cut, /^[ \t]*/.exec(seg)![0].length);
    });
  });
  if (!Number.isFinite(cut) || cut === 0) return;
  parts.forEach((p, i) => {
    if (typeof p !== 'string') return;
    const segments = p.split('\n');
    const starts = lineStarts(i, segments);
    parts[i] = segments.map((seg, j) => (starts[j] ? seg.replace(new RegExp(`^[ \\t]{0,${cut}}`), '') : seg)).join('\n');
  });
}

function describeErrors(source: SourceFile, root: Node): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (problems.length >= 5) return;
    if (node.isMissing || node.isError) {
      const at = source.position(node.startIndex);
      problems.push({ file: source.path, line: at.line, column: at.column, message: errorMessage(node) });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return problems;
}

function errorMessage(node: Node): string {
  const where = context(node);
  if (node.isMissing) return `missing ${quoteToken(node.type)}${where}`;
  const open = node.children.find((c) => c?.type === 'block_start' || c?.type === 'quoted_template_start');
  if (open && node.endIndex >= (node.tree.rootNode.endIndex ?? 0) - 1) {
    return open.type === 'block_start' ? `block is never closed: add "}"${where}` : `string is never closed: add '"'${where}`;
  }
  const dangling = /^([A-Za-z_][\w-]*)\s*=\s*$/.exec(node.text.trim());
  if (dangling) return `attribute "${dangling[1]}" has no value after "="${where}`;
  const token = firstLeaf(node);
  const text = token?.text.split(/\r?\n/)[0] ?? '';
  if (text === '') return `unexpected end of input${where}`;
  return `unexpected ${quoteToken(text.length > 40 ? text.slice(0, 40) + '…' : text)}${where}`;
}

function context(node: Node): string {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'attribute') return ` in the value of "${n.namedChildren[0]?.text}"`;
    if (n.type === 'block') {
      const head = n.namedChildren.filter((c) => c?.type === 'identifier' || c?.type === 'string_lit').map((c) => c!.text);
      return ` in block ${head.join(' ')}`;
    }
  }
  return '';
}

function firstLeaf(node: Node): Node | null {
  let n: Node | null = node;
  while (n && n.childCount > 0) n = n.child(0);
  return n;
}

function quoteToken(text: string): string {
  return text.includes('"') ? `'${text}'` : `"${text}"`;
}
