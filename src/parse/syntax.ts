import type { Range } from './source';

/**
 * The syntax tree tagguard evaluates, shared by the HCL and JSON readers. Every node
 * keeps its range so that a value can always be traced to where it is written.
 */
export type Expr =
  /** text: a number as written, which evaluation reads exactly (Terraform's numbers are not doubles). */
  | { kind: 'literal'; value: string | number | boolean | null; text?: string; range: Range }
  /** textRanges: where each text part is written (by the part's index), so a value can point into its template. */
  | { kind: 'template'; parts: TemplatePart[]; range: Range; textRanges?: (Range | undefined)[] }
  | { kind: 'traversal'; root: string; steps: TraversalStep[]; range: Range }
  | { kind: 'tuple'; items: Expr[]; range: Range }
  | { kind: 'object'; items: { key: Expr; value: Expr }[]; range: Range }
  | { kind: 'call'; name: string; args: Expr[]; expandFinal: boolean; range: Range }
  | { kind: 'conditional'; condition: Expr; then: Expr; otherwise: Expr; range: Range }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; range: Range }
  | { kind: 'unary'; op: '-' | '!'; operand: Expr; range: Range }
  | {
      kind: 'for';
      keyVar?: string;
      valueVar: string;
      collection: Expr;
      /** Present for `{for … : key => value}`. */
      key?: Expr;
      value: Expr;
      condition?: Expr;
      /** `...` after the value of an object for: values with the same key are grouped. */
      grouping: boolean;
      range: Range;
    }
  /** Index, attribute and splat steps on something other than a plain reference, as `f(x)[0]`. */
  | { kind: 'access'; target: Expr; steps: TraversalStep[]; range: Range }
  | { kind: 'unsupported'; syntax: string; range: Range };

/**
 * A piece of a template: literal text (escapes decoded, `~` strip markers and `<<-`
 * indentation already applied), an interpolated expression, or a directive.
 */
export type TemplatePart = string | Expr | TemplateDirective;

/**
 * `%{if c}…%{else}…%{endif}` and `%{for k, v in coll}…%{endfor}`. Each branch and
 * the body of a for are templates of their own (HCL's ConditionalExpr and
 * TemplateJoinExpr): a branch that is one piece of literal text is a literal with
 * its own range, the place to point at when the result comes from it.
 */
export type TemplateDirective =
  | { kind: 'template-if'; condition: Expr; then: Expr; otherwise: Expr; range: Range }
  | { kind: 'template-for'; keyVar?: string; valueVar: string; collection: Expr; body: Expr; range: Range };

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type TraversalStep = { kind: 'attr'; name: string } | { kind: 'index'; key: Expr } | { kind: 'splat' };

export interface Attribute {
  name: string;
  expr: Expr;
  range: Range;
}

export interface Block {
  type: string;
  labels: string[];
  body: Body;
  /** The whole block, header to closing brace. */
  range: Range;
  /** CDKTF's construct path, from the `//` metadata of a synthesized resource. */
  constructPath?: string;
  /** The tagguard construct that made it (`//` tagguard: ImmutableEcrRepository…, and CompliantEcrStack when in one). */
  madeBy?: { construct: string; stack?: string };
}

/**
 * In HCL a nested block and an attribute are different syntax; in Terraform JSON a
 * nested block is written as an attribute holding an object or a list of objects, and
 * only the schema tells them apart. `blocks` holds what the syntax says is a block.
 */
export interface Body {
  attributes: Map<string, Attribute>;
  blocks: Block[];
}

export type Syntax = 'hcl' | 'json';

/** A comment and its 1-based line: suppressions are written in comments. */
export interface Comment {
  line: number;
  text: string;
}

export interface ParsedFile {
  path: string;
  syntax: Syntax;
  body: Body;
  /** HCL only; JSON has no comments. */
  comments: Comment[];
}

/** Every expression inside an expression, itself included; iterative, so deep nesting cannot overflow the stack. */
export function* expressionsIn(expr: Expr): Generator<Expr> {
  const stack: unknown[] = [expr];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      if ('kind' in node && 'range' in node) yield node as Expr;
      for (const [key, value] of Object.entries(node)) if (key !== 'range') stack.push(value);
    }
  }
}
