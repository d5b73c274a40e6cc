import path from 'node:path';
import type { Range } from '../parse/source';
import type { Block, Body, Expr, Syntax } from '../parse/syntax';
import type { ModuleConfig, ResourceBlock } from './config';
import { ModuleScope } from './evaluate';
import { META_ARGUMENTS, NESTED_BLOCKS } from './schema';
import type { TraceStep, Value } from './value';

/** An attribute as a policy sees it: set or not, known or not, and where its value is written. */
export interface AttributeValue {
  set: boolean;
  known: boolean;
  value?: unknown;
  reason?: string;
  location?: Range;
  trace: TraceStep[];
}

/** One instance of a nested block: its fields' values, and the block's own range. */
export interface BlockInstance {
  known: boolean;
  reason?: string;
  fields: Record<string, unknown>;
  location: Range;
  trace: TraceStep[];
}

export interface ResourceInstance {
  address: string;
  /** The root module directory, relative to the working directory. */
  root: string;
  module: string;
  mode: 'managed' | 'data';
  type: string;
  syntax: Syntax;
  location: Range;
  attributes: Record<string, AttributeValue>;
  blocks: Record<string, { set: boolean; known: boolean; reason?: string; instances: BlockInstance[] }>;
}

/**
 * The instances of the resources of the given types in a root module, with their
 * attributes evaluated. An instance whose count or for_each is known to be empty
 * does not exist and is left out.
 */
export function resourceInstances(module: ModuleConfig, types: ReadonlySet<string>, cwd: string): ResourceInstance[] {
  const scope = new ModuleScope(module);
  const root = path.relative(cwd, module.dir).split(path.sep).join('/') || '.';
  const out: ResourceInstance[] = [];
  for (const r of module.resources) {
    if (r.mode !== 'managed' || !types.has(r.type) || !mayExist(scope, r.block.body)) continue;
    out.push({
      address: `${r.type}.${r.name}`,
      root,
      module: '',
      mode: r.mode,
      type: r.type,
      syntax: r.syntax,
      location: r.block.range,
      ...evaluateBody(scope, r),
    });
  }
  return out;
}

function mayExist(scope: ModuleScope, body: Body): boolean {
  const count = body.attributes.get('count');
  if (count) {
    const v = scope.evaluate(count.expr);
    if (v.known && v.value === 0) return false;
  }
  const forEach = body.attributes.get('for_each');
  if (forEach) {
    const v = scope.evaluate(forEach.expr);
    if (v.known && v.value !== null && typeof v.value === 'object' && Object.keys(v.value).length === 0) return false;
  }
  return true;
}

function evaluateBody(scope: ModuleScope, r: ResourceBlock): Pick<ResourceInstance, 'attributes' | 'blocks'> {
  const nested = NESTED_BLOCKS[r.type] ?? new Set<string>();
  const attributes: ResourceInstance['attributes'] = {};
  const blocks: ResourceInstance['blocks'] = {};
  for (const attr of r.block.body.attributes.values()) {
    if (META_ARGUMENTS.has(attr.name)) continue;
    if (nested.has(attr.name)) blocks[attr.name] = jsonBlocks(scope, attr.expr);
    else attributes[attr.name] = attributeValue(scope.evaluate(attr.expr));
  }
  for (const block of r.block.body.blocks) {
    if (block.type === 'dynamic' && block.labels[0]) {
      blocks[block.labels[0]] = { set: true, known: false, reason: `dynamic "${block.labels[0]}" blocks are not expanded yet`, instances: [] };
    } else if (nested.has(block.type)) {
      const entry = (blocks[block.type] ??= { set: true, known: true, instances: [] });
      entry.instances.push(blockInstance(scope, block.body, block.range));
    }
  }
  return { attributes, blocks };
}

function attributeValue(v: Value): AttributeValue {
  return v.known
    ? { set: true, known: true, value: v.value, location: v.origin, trace: v.trace }
    : { set: true, known: false, reason: v.reason, location: v.origin, trace: v.trace };
}

function blockInstance(scope: ModuleScope, body: Body, range: Range): BlockInstance {
  const fields: Record<string, unknown> = {};
  for (const attr of body.attributes.values()) {
    const v = scope.evaluate(attr.expr);
    if (!v.known) return { known: false, reason: v.reason, fields, location: range, trace: v.trace };
    fields[attr.name] = v.value;
  }
  return { known: true, fields, location: range, trace: [] };
}

/** A nested block written in JSON: an object, or a list of objects. */
function jsonBlocks(scope: ModuleScope, expr: Expr): ResourceInstance['blocks'][string] {
  const items = expr.kind === 'tuple' ? expr.items : [expr];
  const instances: BlockInstance[] = [];
  for (const item of items) {
    if (item.kind !== 'object') {
      const v = scope.evaluate(item);
      return { set: true, known: false, reason: v.known ? 'a nested block must be an object' : v.reason, instances };
    }
    const body: Body = { attributes: new Map(), blocks: [] as Block[] };
    for (const { key, value } of item.items) {
      if (key.kind === 'literal') body.attributes.set(String(key.value), { name: String(key.value), expr: value, range: value.range });
    }
    instances.push(blockInstance(scope, body, item.range));
  }
  return { set: true, known: true, instances };
}
