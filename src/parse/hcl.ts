import { readFile } from 'node:fs/promises';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { SourceFile, type Problem } from './source';
import type { Attribute, BinaryOperator, Block, Body, Expr, ParsedFile, TraversalStep } from './syntax';
import {
  applyStripMarkers,
  flushIndentation,
  meld,
  templatePartsAt,
  textTokens,
  UnbalancedTemplate,
  type SequenceToken,
  type TemplateToken,
} from './template';

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

export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; problems: Problem[] };

export interface ParseOptions {
  /** How deeply blocks, collections, calls and templates may nest (--max-depth). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 256;

/** Nesting past the limit: the reader stops there rather than recurse without bound. */
class TooDeep extends Error {
  constructor(readonly at: number) {
    super('too deep');
  }
}

export async function parseHcl(source: SourceFile, options: ParseOptions = {}): Promise<ParseResult> {
  const p = await hclParser();
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const tree = p.parse(source.text);
  if (!tree) return { ok: false, problems: [{ file: source.path, line: 1, column: 1, message: 'the parser gave up on this file' }] };
  try {
    if (tree.rootNode.hasError) return { ok: false, problems: describeErrors(source, tree.rootNode, maxDepth) };
    const body = tree.rootNode.namedChildren.find((n) => n.type === 'body');
    // Walking the tree for comments costs as much as a small file's parse: only where one can be.
    const mayComment = /#|\/\/|\/\*/.test(source.text);
    const comments = mayComment
      ? tree.rootNode.descendantsOfType('comment').map((c) => ({ line: c.startPosition.row + 1, text: c.text }))
      : [];
    return {
      ok: true,
      file: { path: source.path, syntax: 'hcl', body: body ? new HclReader(source, maxDepth).body(body) : emptyBody(), comments },
    };
  } catch (e) {
    if (e instanceof TooDeep)
      return {
        ok: false,
        problems: [{ file: source.path, ...source.position(e.at), message: `more than ${maxDepth} levels deep (--max-depth)` }],
      };
    // Nesting that the depth count does not see (long chains of index steps) must still not end the scan.
    if (e instanceof RangeError)
      return { ok: false, problems: [{ file: source.path, line: 1, column: 1, message: 'nested too deeply to read (--max-depth)' }] };
    throw e;
  } finally {
    tree.delete();
  }
}

/** Parses one expression written as text, such as a value given with --var. */
export async function parseHclExpression(source: { path: string }, text: string): Promise<Expr | undefined> {
  return parseAttributeValue(new SourceFile(source.path, `x = ${text}\n`), false);
}

/**
 * Parses a bare template: a Terraform JSON string, which HCL reads as a template with
 * no quotes and no escapes, cut into literal tokens line by line. The grammar reads
 * templates only in quotes or heredocs; a heredoc keeps the text as it is and is cut
 * the same way. Ranges are those of the wrapped text; callers relocate them.
 */
export async function parseHclTemplate(source: { path: string }, text: string): Promise<Expr | undefined> {
  let marker = 'TAGGUARD_TEMPLATE';
  while (text.includes(marker)) marker += '_';
  return parseAttributeValue(new SourceFile(source.path, `x = <<${marker}\n${text}\n${marker}\n`), true);
}

async function parseAttributeValue(wrapped: SourceFile, bare: boolean): Promise<Expr | undefined> {
  const p = await hclParser();
  const tree = p.parse(wrapped.text);
  if (!tree) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const attribute = tree.rootNode.descendantsOfType('attribute').at(0);
    const expr = attribute ? named(attribute).at(1) : undefined;
    // Ranges are those of the wrapped text; callers relocate them.
    return expr ? new HclReader(wrapped, DEFAULT_MAX_DEPTH, bare).expression(expr) : undefined;
  } catch (e) {
    if (e instanceof TooDeep || e instanceof RangeError) return undefined;
    throw e;
  } finally {
    tree.delete();
  }
}

export function emptyBody(): Body {
  return { attributes: new Map(), blocks: [] };
}

/** Syntax that opens a level of nesting. */
const NESTING = new Set([
  'block',
  'tuple',
  'object',
  'function_call',
  'for_expr',
  'string_lit',
  'quoted_template',
  'heredoc_template',
  'template_directive',
]);

class HclReader {
  private depth = 0;

  constructor(
    private readonly source: SourceFile,
    private readonly maxDepth = DEFAULT_MAX_DEPTH,
    /** A bare template wrapped in a heredoc (parseHclTemplate): the heredoc's last newline is not part of it. */
    private readonly bareTemplate = false,
  ) {}

  /** Runs `read` one level deeper when `node` opens a level; past the limit, stops at that node. */
  private nested<T>(node: Node, read: () => T): T {
    if (!NESTING.has(node.type)) return read();
    if (++this.depth > this.maxDepth) throw new TooDeep(node.startIndex);
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  range(node: Node) {
    return this.source.range(node.startIndex, node.endIndex);
  }

  body(node: Node): Body {
    const body = emptyBody();
    for (const child of node.namedChildren) {
      if (child.type === 'attribute') {
        const attr = this.attribute(child);
        body.attributes.set(attr.name, attr);
      } else if (child.type === 'block') {
        body.blocks.push(this.block(child));
      }
    }
    return body;
  }

  attribute(node: Node): Attribute {
    // A comment may sit anywhere between tokens (`x = /* c */ "v"`): it is not part of the value.
    const [name, value] = named(node);
    return { name: name.text, expr: this.expression(value), range: this.range(node) };
  }

  block(node: Node): Block {
    return this.nested(node, () => this.blockAt(node));
  }

  private blockAt(node: Node): Block {
    const labels: string[] = [];
    let body = emptyBody();
    let type = '';
    for (const child of node.namedChildren) {
      if (child.type === 'identifier' && !type) type = child.text;
      else if (child.type === 'identifier') labels.push(child.text);
      else if (child.type === 'string_lit') {
        // Most labels are plain quoted names: no escapes or templates to read.
        const text = child.text;
        if (/^"[^"\\$%]*"$/.test(text)) labels.push(text.slice(1, -1));
        else {
          const label = this.template(child, false);
          labels.push(label.kind === 'literal' ? String(label.value) : text);
        }
      } else if (child.type === 'body') body = this.body(child);
    }
    return { type, labels, body, range: this.range(node) };
  }

  expression(node: Node): Expr {
    if (node.type !== 'expression') return this.term(node);
    const nodes = named(node);
    return this.sequence(nodes, node, nodes.length);
  }

  /**
   * A primary term followed by index, attribute and splat steps. The grammar writes
   * these as siblings, in expressions and in operands of operators alike.
   */
  sequence(nodes: Node[], whole: Node, all?: number): Expr {
    const primary = nodes.at(0);
    if (!primary) return this.unsupported(whole);
    const postfix = nodes.slice(1);
    const last = postfix.at(-1);
    if (!last) return this.term(primary);
    const range = nodes.length === (all ?? named(whole).length) ? this.range(whole) : this.source.range(primary.startIndex, last.endIndex);
    const steps: TraversalStep[] = [];
    for (const op of postfix) {
      const step = this.step(op);
      if (!step) return this.unsupported(whole);
      steps.push(...step);
    }
    if (primary.type === 'variable_expr') return { kind: 'traversal', root: primary.text, steps, range };
    return { kind: 'access', target: this.term(primary), steps, range };
  }

  step(node: Node): TraversalStep[] | undefined {
    switch (node.type) {
      case 'get_attr':
        return [{ kind: 'attr', name: named(node)[0].text }];
      case 'index': {
        const inner = named(node).at(0);
        // legacy_index is the old `a.0` form; the grammar keeps its digits in the node's text only.
        if (inner?.type === 'legacy_index')
          return [
            {
              kind: 'index',
              key: { kind: 'literal', value: Number(inner.text.slice(1)), text: inner.text.slice(1), range: this.range(inner) },
            },
          ];
        const key = inner && named(inner).at(0);
        if (!key) return undefined;
        return [{ kind: 'index', key: this.expression(key) }];
      }
      case 'splat': {
        const steps: TraversalStep[] = [{ kind: 'splat' }];
        const ops = named(node).at(0);
        for (const op of ops ? named(ops) : []) {
          const s = this.step(op);
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
    return this.nested(node, () => this.termAt(node));
  }

  private termAt(node: Node): Expr {
    const range = this.range(node);
    switch (node.type) {
      case 'expression':
        return this.expression(node);
      case 'literal_value':
        return this.term(named(node)[0]);
      case 'numeric_lit':
        return { kind: 'literal', value: Number(node.text), text: node.text, range };
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
        return this.term(named(node)[0]);
      case 'variable_expr':
        return { kind: 'traversal', root: node.text, steps: [], range };
      case 'function_call':
        return this.call(node);
      case 'conditional': {
        const parts = conditionalChain(node);
        return parts ? this.conditional(parts, node.endIndex) : this.unsupported(node);
      }
      case 'operation':
        return this.term(named(node)[0]);
      case 'binary_operation':
        return this.binary(node);
      case 'unary_operation': {
        const op = node.children.find((c) => !c.isNamed);
        if (!op) return this.unsupported(node);
        return { kind: 'unary', op: op.text as '-' | '!', operand: this.sequence(named(node), node), range };
      }
      case 'for_expr':
        return this.forExpr(named(node)[0]);
      case 'tuple':
        return {
          kind: 'tuple',
          items: named(node)
            .filter((c) => c.type === 'expression')
            .map((c) => this.expression(c)),
          range,
        };
      case 'object':
        return {
          kind: 'object',
          items: named(node)
            .filter((c) => c.type === 'object_elem')
            .map((elem) => {
              const [key, value] = named(elem).filter((c) => c.type === 'expression');
              return { key: this.objectKey(key), value: this.expression(value) };
            }),
          range,
        };
      default:
        return this.unsupported(node);
    }
  }

  call(node: Node): Expr {
    const name = node.text.slice(0, node.text.indexOf('(')).trim();
    const argsNode = named(node).find((c) => c.type === 'function_arguments');
    const args = argsNode
      ? named(argsNode)
          .filter((c) => c.type === 'expression')
          .map((c) => this.expression(c))
      : [];
    const expandFinal = Boolean(argsNode?.children.some((c) => c.type === 'ellipsis'));
    return { kind: 'call', name, args, expandFinal, range: this.range(node) };
  }

  /** `a ? b : c ? d : e` from its parts, right-associative as HCL reads it; `end` is where the whole ends. */
  conditional(parts: Node[], end: number): Expr {
    // conditionalChain gives 2n + 1 parts: conditions and branches, then the last otherwise.
    let expr = this.expression(parts[parts.length - 1]);
    for (let i = parts.length - 3; i >= 0; i -= 2) {
      const condition = parts[i];
      expr = {
        kind: 'conditional',
        condition: this.expression(condition),
        then: this.expression(parts[i + 1]),
        otherwise: expr,
        range: this.source.range(condition.startIndex, end),
      };
    }
    return expr;
  }

  binary(node: Node): Expr {
    const children = node.children.filter((c) => c.type !== 'comment');
    const at = children.findIndex((c) => !c.isNamed && OPERATORS.has(c.type));
    if (at < 0) return this.unsupported(node);
    // An operand in parentheses is `(` expression `)` among the operation's children: the parentheses are not terms.
    const left = this.sequence(
      children.slice(0, at).filter((c) => c.isNamed),
      node,
    );
    const right = this.sequence(
      children.slice(at + 1).filter((c) => c.isNamed),
      node,
    );
    return { kind: 'binary', op: children[at].type as BinaryOperator, left, right, range: this.range(node) };
  }

  forExpr(node: Node): Expr {
    const parts = named(node);
    const intro = parts.find((c) => c.type === 'for_intro');
    const over = intro && named(intro).find((c) => c.type === 'expression');
    if (!intro || !over) return this.unsupported(node);
    const names = named(intro)
      .filter((c) => c.type === 'identifier')
      .map((c) => c.text);
    const collection = this.expression(over);
    const bodies = parts.filter((c) => c.type === 'expression').map((c) => this.expression(c));
    const cond = parts.find((c) => c.type === 'for_cond');
    const condition = cond ? this.expression(named(cond)[0]) : undefined;
    const isObject = node.type === 'for_object_expr';
    return {
      kind: 'for',
      keyVar: names.length === 2 ? names[0] : undefined,
      valueVar: names[names.length - 1],
      collection,
      key: isObject ? bodies[0] : undefined,
      value: isObject ? bodies[1] : bodies[0],
      condition,
      grouping: isObject && parts.some((c) => c.type === 'ellipsis'),
      range: this.range(node),
    };
  }

  /** A bare identifier as an object key is the key's name, not a variable. */
  objectKey(node: Node): Expr {
    const children = named(node);
    const only = children.length === 1 ? children[0] : null;
    if (only?.type === 'variable_expr') return { kind: 'literal', value: only.text, range: this.range(only) };
    return this.expression(node);
  }

  /**
   * Literal text is read from the source between interpolations and directives: the
   * grammar's template_literal nodes leave out whitespace next to quotes and `${…}`.
   */
  template(node: Node, heredoc: boolean): Expr {
    const text = this.source.text;
    const children = node.children;
    let from: number;
    let to: number;
    if (heredoc) {
      const markers = children.filter((c) => c.type === 'heredoc_identifier');
      const open = markers[0];
      const close = markers.at(1);
      from = text.indexOf('\n', open.endIndex) + 1;
      to = close ? text.lastIndexOf('\n', close.startIndex - 1) + 1 : node.endIndex;
      if (to < from) to = from;
    } else {
      from = children[0].endIndex;
      to = children[children.length - 1].startIndex;
    }
    // Most strings are plain text: no sequence, escape or directive to read.
    if (!heredoc && !/[$%\\]/.test(text.slice(from, to))) return { kind: 'literal', value: text.slice(from, to), range: this.range(node) };
    const decode = heredoc ? unescapeTemplateMarks : unescapeQuoted;
    const tokens: TemplateToken[] = [];
    let cursor = from;
    const upTo = (end: number) => {
      if (end > cursor) tokens.push(...textTokens(text.slice(cursor, end), cursor, heredoc, decode));
    };
    const visit = (parent: Node): void => {
      for (const child of parent.children) {
        if (child.type === 'template_directive')
          this.nested(child, () => {
            visit(child);
          });
        else if (child.type === 'template_if' || child.type === 'template_for') visit(child);
        else {
          const token = this.sequenceToken(child);
          if (!token) continue;
          upTo(child.startIndex);
          tokens.push(token);
          cursor = child.endIndex;
        }
      }
    };
    visit(node);
    upTo(to);
    if (this.bareTemplate) dropWrappingNewline(tokens);
    applyStripMarkers(tokens);
    if (heredoc && children.some((c) => c.type === 'heredoc_start' && c.text.startsWith('<<-'))) flushIndentation(tokens);
    let read: ReturnType<typeof templatePartsAt>;
    try {
      read = templatePartsAt(meld(tokens), (a, b) => this.source.range(a, b));
    } catch (e) {
      if (e instanceof UnbalancedTemplate) return this.unsupported(node);
      throw e;
    }
    const { parts, textRanges } = read;
    if (parts.every((p) => typeof p === 'string')) return { kind: 'literal', value: parts.join(''), range: this.range(node) };
    return { kind: 'template', parts, range: this.range(node), textRanges };
  }

  /** `${…}` and the markers of `%{if}`, `%{else}`, `%{endif}`, `%{for}`, `%{endfor}`; undefined for anything else. */
  private sequenceToken(node: Node): SequenceToken | undefined {
    const kids = node.children.filter((c) => c.type !== 'comment');
    const at = {
      strip: { before: kids[1]?.type === 'strip_marker', after: kids.at(-2)?.type === 'strip_marker' },
      start: node.startIndex,
      end: node.endIndex,
    };
    const expression = () => kids.find((c) => c.type === 'expression');
    switch (node.type) {
      case 'template_interpolation': {
        const inner = expression();
        return inner ? { ...at, kind: 'interpolation', expr: this.expression(inner) } : undefined;
      }
      case 'template_if_intro': {
        const condition = expression();
        return condition ? { ...at, kind: 'if', condition: this.expression(condition) } : undefined;
      }
      case 'template_for_start': {
        const names = kids.filter((c) => c.type === 'identifier').map((c) => c.text);
        const collection = expression();
        if (!collection) return undefined;
        return {
          ...at,
          kind: 'for',
          ...(names.length === 2 ? { keyVar: names[0] } : {}),
          valueVar: names[names.length - 1],
          collection: this.expression(collection),
        };
      }
      case 'template_else_intro':
        return { ...at, kind: 'else' };
      case 'template_if_end':
        return { ...at, kind: 'endif' };
      case 'template_for_end':
        return { ...at, kind: 'endfor' };
      default:
        return undefined;
    }
  }

  unsupported(node: Node): Expr {
    return { kind: 'unsupported', syntax: node.type, range: this.range(node) };
  }
}

/** The newline parseHclTemplate adds before the closing marker: the end of the last token, or a token of its own. */
function dropWrappingNewline(tokens: TemplateToken[]): void {
  const last = tokens.at(-1);
  if (last?.kind !== 'text' || !last.raw.endsWith('\n')) return;
  if (last.raw === '\n') tokens.pop();
  else Object.assign(last, { raw: last.raw.slice(0, -1), text: last.text.slice(0, -1), end: last.end - 1 });
}

const OPERATORS = new Set(['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '&&', '||']);

/**
 * The parts of a chain of conditionals, in source order: [a, b, c, d, e] for
 * `a ? b : c ? d : e`. The grammar nests such a chain to the left, as
 * `(a ? b : c) ? d : e`; a condition that is itself a conditional without
 * parentheses is such a chain.
 */
function conditionalChain(node: Node): Node[] | undefined {
  const tails: Node[][] = [];
  let head: Node = node;
  for (;;) {
    const parts = named(head);
    if (parts.length < 3) return undefined;
    const [condition, then, otherwise] = parts;
    tails.unshift([then, otherwise]);
    const bare = !condition.children.some((c) => c.type === '(');
    const inner = bare ? named(condition).find((c) => c.type === 'conditional') : undefined;
    if (!inner) return [condition, ...tails.flat()];
    head = inner;
  }
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c) => c.type !== 'comment');
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

function describeErrors(source: SourceFile, root: Node, maxDepth: number): Problem[] {
  // A quoted string cannot span lines; the grammar lets it run on to the next quote, so
  // the error it reports is later than the mistake.
  const runaway = root.descendantsOfType(['string_lit', 'quoted_template']).find((n) => !n.text.startsWith('<<') && n.text.includes('\n'));
  if (runaway) {
    const at = source.position(runaway.startIndex);
    return [{ file: source.path, ...at, message: `string is never closed: add '"' before the end of line ${at.line}${context(runaway)}` }];
  }
  const problems: Problem[] = [];
  const visit = (node: Node, depth = 0): void => {
    if (problems.length >= 5) return;
    if (depth > maxDepth * 4) {
      problems.push({ file: source.path, ...source.position(node.startIndex), message: `more than ${maxDepth} levels deep (--max-depth)` });
      return;
    }
    if (node.isMissing || node.isError) {
      const at = source.position(node.startIndex);
      problems.push({ file: source.path, line: at.line, column: at.column, message: errorMessage(node) });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) visit(child, depth + 1);
  };
  visit(root);
  return problems;
}

function errorMessage(node: Node): string {
  const where = context(node);
  if (node.isMissing) return `missing ${quoteToken(node.type)}${where}`;
  const open = node.children.find((c) => c.type === 'block_start' || c.type === 'quoted_template_start');
  if (open && node.endIndex >= node.tree.rootNode.endIndex - 1) {
    return open.type === 'block_start' ? `block is never closed: add "}"${where}` : `string is never closed: add '"'${where}`;
  }
  const dangling = /^([A-Za-z_][\w-]*)\s*=\s*$/.exec(node.text.trim());
  if (dangling) return `attribute "${dangling[1]}" has no value after "="${where}`;
  const token = firstLeaf(node);
  const text = token?.text.split(/\r?\n/)[0] ?? '';
  if (text === '') return `unexpected end of input${where}`;
  if (text.includes('\0')) return `unexpected NUL byte (a binary file, or text damaged in an edit)${where}`;
  return `unexpected ${quoteToken(text.length > 40 ? text.slice(0, 40) + '…' : text)}${where}`;
}

function context(node: Node): string {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'attribute') return ` in the value of "${n.namedChildren[0]?.text}"`;
    if (n.type === 'block') {
      const head = n.namedChildren.filter((c) => c.type === 'identifier' || c.type === 'string_lit').map((c) => c.text);
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
