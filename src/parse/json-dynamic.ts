import type { Block, Body, Expr } from './syntax';

type ObjectExpr = Extract<Expr, { kind: 'object' }>;

/**
 * `dynamic` blocks written in Terraform JSON, as the blocks HCL syntax would give:
 * `"dynamic": {"<type>": {"for_each": …, "iterator": "it", "content": {…}}}`. As with
 * any JSON block, `"dynamic"` and each `"<type>"` may hold a list of such objects; the
 * iterator is a plain string naming the symbol; `content` is an object.
 */
export function jsonDynamicBlocks(expr: Expr | undefined): Block[] {
  const blocks: Block[] = [];
  for (const group of objects(expr)) {
    for (const { key, value } of group.items) {
      if (key.kind !== 'literal' || typeof key.value !== 'string') continue;
      for (const spec of objects(value)) blocks.push(dynamicBlock(key.value, spec));
    }
  }
  return blocks;
}

/** An object, or each object of a list. */
function objects(expr: Expr | undefined): ObjectExpr[] {
  if (!expr) return [];
  return (expr.kind === 'tuple' ? expr.items : [expr]).filter((e): e is ObjectExpr => e.kind === 'object');
}

function dynamicBlock(type: string, spec: ObjectExpr): Block {
  const body = bodyOf(spec);
  const iterator = body.attributes.get('iterator');
  if (iterator?.expr.kind === 'literal' && typeof iterator.expr.value === 'string') {
    body.attributes.set('iterator', {
      ...iterator,
      expr: { kind: 'traversal', root: iterator.expr.value, steps: [], range: iterator.expr.range },
    });
  }
  const content = body.attributes.get('content');
  if (content) {
    body.attributes.delete('content');
    body.blocks = objects(content.expr).map((c) => ({ type: 'content', labels: [], body: bodyOf(c), range: c.range }));
  }
  return { type: 'dynamic', labels: [type], body, range: spec.range };
}

function bodyOf(object: ObjectExpr): Body {
  const body: Body = { attributes: new Map(), blocks: [] };
  for (const { key, value } of object.items) {
    if (key.kind === 'literal') body.attributes.set(String(key.value), { name: String(key.value), expr: value, range: value.range });
  }
  return body;
}
