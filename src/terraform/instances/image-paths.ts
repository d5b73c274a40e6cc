import type { Range } from '../../parse/source';
import type { Block, Body } from '../../parse/syntax';
import { isTemplateText, iterate, type Evaluator, type Symbols } from '../eval/evaluate';
import { decodeJsonText } from '../eval/functions';
import { map, unknown, type TraceStep, type Value } from '../eval/value';

/**
 * Where a rule's METADATA says images are named in a resource (`custom.images`): steps
 * joined by `.`, each an attribute, a nested block (every instance), a map key or a member
 * of a JSON string; lists on the way are walked item by item; `**` is any depth.
 */
export type ImagePaths = ReadonlyMap<string, readonly string[]>;

/** A value at one of the paths, and the concrete path to it: `container_definitions[1].image`. */
export interface FoundValue {
  path: string;
  value: Value;
}

/** The keys under which a Kubernetes object nests its pod template (the only `**` paths read today). */
const NESTS_PODS: ReadonlySet<string> = new Set(['spec', 'template', 'jobTemplate']);

/** Bound on the nodes one resource's walk visits: a manifest's `**` cannot make a scan slow. */
const MAX_VISITS = 20_000;

interface Walk {
  evaluator?: Evaluator;
  out: FoundValue[];
  visits: number;
  /** The walk stopped at MAX_VISITS: what it did not reach may hold images. */
  truncated?: boolean;
  /** Paths already reported, so an unknown under `**` is one value, not one per route. */
  seen: Set<string>;
  /** Where a JSON string without an origin is placed: the resource block. */
  fallback: Range;
}

type Node = { kind: 'body'; body: Body; symbols: Symbols } | { kind: 'value'; value: Value };

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** The values at the paths in a resource's body, as Terraform would evaluate them. */
export function valuesInBody(body: Body, evaluator: Evaluator, symbols: Symbols, paths: readonly string[], at: Range): FoundValue[] {
  const walk: Walk = { evaluator, out: [], visits: 0, seen: new Set(), fallback: at };
  for (const p of paths) visit(walk, { kind: 'body', body, symbols }, p.split('.'), 0, '', false);
  return finished(walk);
}

/** What was found; a walk that ran out of budget is one unknown value more, never a silent pass. */
function finished(walk: Walk): FoundValue[] {
  if (!walk.truncated) return walk.out;
  const why = `the resource is too large to search for images (more than ${MAX_VISITS} values on the way)`;
  return [...walk.out, { path: '', value: unknown(why, walk.fallback) }];
}

/** The values at the paths in a value that holds the resource's arguments (a plan's). */
export function valuesInValue(root: Value, paths: readonly string[], at: Range): FoundValue[] {
  const walk: Walk = { out: [], visits: 0, seen: new Set(), fallback: at };
  for (const p of paths) visit(walk, { kind: 'value', value: root }, p.split('.'), 0, '', false);
  return finished(walk);
}

/**
 * exploring: under `**`, where an unknown part is not reported (the images may be elsewhere).
 * json: the value was read from JSON text (`jsonencode`, a JSON string), as the provider decodes
 * it with Go's encoding/json: a key matches whatever its letter case, the last match wins.
 */
function visit(
  walk: Walk,
  node: Node,
  steps: string[],
  i: number,
  path: string,
  exploring: boolean,
  json: boolean | 'sorted' = false,
): void {
  if (++walk.visits > MAX_VISITS) {
    walk.truncated = true;
    return;
  }
  if (node.kind === 'value') {
    const v = node.value;
    // jsonencode keeps what it encoded: walk that, so values keep their origins.
    if ((v.kind === 'string' || v.kind === 'unknown') && v.encoded && i < steps.length) {
      visit(walk, { kind: 'value', value: v.encoded }, steps, i, path, exploring, 'sorted');
      return;
    }
    // JSON text with interpolations (Terraform JSON, a heredoc, cdktf output): decoded around its unknown parts.
    if (v.kind === 'unknown' && v.template && i < steps.length) {
      const decoded = decodeTemplateJson(v.template, v.origin ?? walk.fallback);
      if (decoded) {
        visit(walk, { kind: 'value', value: decoded }, steps, i, path, exploring, true);
        return;
      }
    }
    if (v.kind === 'string' && i < steps.length) {
      // JSON text built by a template: each value interpolated into a JSON string keeps its origin (a tfvars value).
      const parts = v.template && decodeTemplateJson(v.template, v.origin ?? walk.fallback);
      if (parts) {
        visit(walk, { kind: 'value', value: parts }, steps, i, path, exploring, true);
        return;
      }
      const decoded = decodeJsonText(v.value, v.origin ?? walk.fallback, v.trace);
      if (decoded) visit(walk, { kind: 'value', value: decoded }, steps, i, path, exploring, true);
      return;
    }
    if (v.kind === 'list') {
      v.items.forEach((item, n) => {
        visit(walk, { kind: 'value', value: item }, steps, i, `${path}[${n}]`, exploring, json);
      });
      return;
    }
  }
  if (i === steps.length) {
    if (node.kind === 'value' && node.value.kind !== 'null') emit(walk, path, node.value);
    return;
  }
  const step = steps[i];
  if (step === '**') {
    visit(walk, node, steps, i + 1, path, exploring, json);
    for (const [name, child] of children(walk, node)) {
      // An unknown where the images may be (`containers = var.containers`, `spec = yamldecode(…)`) is an
      // unknown image; any other unknown part of the object (a label, a namespace) holds none.
      if (child.kind === 'value' && child.value.kind === 'unknown' && (name === steps[i + 1] || NESTS_PODS.has(name)))
        emit(walk, join(path, name), opaque(child.value));
      else visit(walk, child, steps, i, join(path, name), true, json);
    }
    return;
  }
  if (node.kind === 'value') {
    const v = node.value;
    if (v.kind === 'map') {
      const [key, entry] = json ? jsonEntry(v.entries, step, json === 'sorted') : [step, v.entries.get(step)];
      if (entry) visit(walk, { kind: 'value', value: entry }, steps, i + 1, join(path, key), exploring, json);
    } else if (v.kind === 'unknown' && !exploring) emit(walk, path, opaque(v));
    return;
  }
  const attr = node.body.attributes.get(step);
  if (attr && walk.evaluator)
    visit(walk, { kind: 'value', value: walk.evaluator.evaluate(attr.expr, node.symbols) }, steps, i + 1, join(path, step), exploring);
  let n = 0;
  for (const block of node.body.blocks) {
    if (block.type === step) {
      visit(walk, { kind: 'body', body: block.body, symbols: node.symbols }, steps, i + 1, `${join(path, step)}[${n++}]`, exploring);
    } else if (block.type === 'dynamic' && block.labels[0] === step) {
      for (const instance of dynamicInstances(walk, block, node.symbols)) {
        visit(
          walk,
          { kind: 'body', body: instance.body, symbols: instance.symbols },
          steps,
          i + 1,
          `${join(path, step)}[${n++}]`,
          exploring,
        );
      }
    }
  }
}

/**
 * The entry Go's encoding/json gives a struct field: every key equal to it under Unicode
 * case folding sets it, so the last one in the text wins (jsonencode writes keys sorted).
 */
function jsonEntry(entries: ReadonlyMap<string, Value>, step: string, sorted: boolean): [string, Value | undefined] {
  const keys = [...entries.keys()];
  if (sorted) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const folded = fold(step);
  const key = keys.findLast((k) => fold(k) === folded);
  return key === undefined ? [step, undefined] : [key, entries.get(key)];
}

/** Simple case folding as Go's strings.EqualFold: lower case, and the letters that fold to ASCII (ſ, K). */
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/ſ/g, 's')
    .replace(/\u212a/g, 'k');

/** An unknown value on the way to an image (not the image): its reason, without its text's parts. */
function opaque(v: Extract<Value, { kind: 'unknown' }>): Value {
  return unknown(v.reason, v.origin, v.trace);
}

function emit(walk: Walk, path: string, value: Value): void {
  if (walk.seen.has(path)) return;
  walk.seen.add(path);
  walk.out.push({ path, value });
}

/** The parts `**` descends into: a map's entries, a body's attributes and blocks. Lists are walked by visit. */
function* children(walk: Walk, node: Node): Generator<[string, Node]> {
  if (node.kind === 'value') {
    const v = node.value;
    if (v.kind === 'map') for (const [k, item] of v.entries) yield [k, { kind: 'value', value: item }];
    return;
  }
  if (walk.evaluator)
    for (const attr of node.body.attributes.values())
      yield [attr.name, { kind: 'value', value: walk.evaluator.evaluate(attr.expr, node.symbols) }];
  const counts = new Map<string, number>();
  for (const block of node.body.blocks) {
    if (block.type === 'dynamic') continue;
    const n = counts.get(block.type) ?? 0;
    counts.set(block.type, n + 1);
    yield [`${block.type}[${n}]`, { kind: 'body', body: block.body, symbols: node.symbols }];
  }
}

/** `dynamic "x" { for_each = …; iterator = it; content { … } }`: each content body with its iterator. */
function dynamicInstances(walk: Walk, block: Block, symbols: Symbols): { body: Body; symbols: Symbols }[] {
  const forEach = block.body.attributes.get('for_each');
  const content = block.body.blocks.find((b) => b.type === 'content');
  if (!forEach || !content || !walk.evaluator) return [];
  const iteratorExpr = block.body.attributes.get('iterator')?.expr;
  const iterator = iteratorExpr?.kind === 'traversal' ? iteratorExpr.root : block.labels[0];
  const collection = walk.evaluator.evaluate(forEach.expr, symbols);
  const pairs = collection.kind === 'unknown' ? undefined : iterate(collection);
  if (!pairs) {
    // However many blocks it makes, each is this content: what it writes as a literal is judged, what
    // it reads from the iterator is unknown.
    const why = collection.kind === 'unknown' ? collection.reason : 'it is not a collection';
    const each = unknown(`the for_each of dynamic "${block.labels[0]}" cannot be known (${why})`, forEach.expr.range, collection.trace);
    return [{ body: content.body, symbols: withIterator(symbols, iterator, each, each) }];
  }
  return pairs.map(([key, value]) => ({ body: content.body, symbols: withIterator(symbols, iterator, key, value) }));
}

/** The symbols of a dynamic block's content: the iterator names the element (`it.key`, `it.value`). */
export function withIterator(symbols: Symbols, iterator: string, key: Value, value: Value): Symbols {
  const names = new Map(symbols.names ?? []);
  names.set(
    iterator,
    map(
      [
        ['key', key],
        ['value', value],
      ],
      value.origin,
    ),
  );
  return { ...symbols, names };
}

/** Characters that mean something inside a JSON string: a value holding one is decoded as the text it makes. */
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string cannot hold
const JSON_SPECIAL = /["\\\u0000-\u001f]/;

/** Stands for an unknown part inside JSON text: private-use characters, which JSON keeps as they are. */
const mark = (n: number) => `\uE000${n}\uE001`;
const MARKS = /\uE000(\d+)\uE001/g;

/**
 * JSON text whose parts are known text and unknown values: decoded with each unknown part
 * in place of its mark, so a string that held one becomes a template again. Undefined
 * when the text is not JSON (an unknown part stands for more than a string's content).
 */
function decodeTemplateJson(parts: Value[], range: Range): Value | undefined {
  const unknowns: Value[] = [];
  // The decoded text's trace is its known text's, not the template's (which is its first
  // unknown part's): a tag written after the second interpolation did not come from the first.
  const written = parts.find((p) => p.kind === 'string');
  const trace: TraceStep[] = written?.trace ?? [];
  // Likewise its place: the known text's (the heredoc, the JSON string), not the first unknown part's.
  const at = written?.origin ?? range;
  let text = '';
  // Whether the text so far ends inside a JSON string: an unknown part outside one stands
  // for a whole JSON value (`"cpu": ${var.cpu}`), so its mark is written as a string there.
  let inString = false;
  let escaped = false;
  for (const p of parts) {
    // A value interpolated into a JSON string stands there as itself, with its origin; anywhere
    // else its text is JSON syntax (a number, `${jsonencode(…)}`).
    if (p.kind === 'string' && (isTemplateText(p) || !inString || JSON_SPECIAL.test(p.value))) {
      for (const c of p.value) {
        if (escaped) escaped = false;
        else if (inString && c === '\\') escaped = true;
        else if (c === '"') inString = !inString;
      }
      text += p.value;
    } else if (p.kind === 'unknown' || p.kind === 'string') {
      const m = mark(unknowns.push(p) - 1);
      text += inString ? m : `"${m}"`;
    } else return undefined;
  }
  const decoded = decodeJsonText(text, at, trace);
  return decoded && restore(decoded, unknowns);
}

function restore(v: Value, unknowns: Value[]): Value {
  if (v.kind === 'list') return { ...v, items: v.items.map((i) => restore(i, unknowns)) };
  if (v.kind === 'map') return { ...v, entries: new Map([...v.entries].map(([k, e]) => [k, restore(e, unknowns)])) };
  if (v.kind !== 'string' || !v.value.includes('\uE000')) return v;
  const pieces: Value[] = [];
  let last = 0;
  for (const m of v.value.matchAll(MARKS)) {
    if (m.index > last) pieces.push({ ...v, value: v.value.slice(last, m.index) });
    pieces.push(unknowns[Number(m[1])] ?? unknown('an unknown part of JSON text', v.origin, v.trace));
    last = m.index + m[0].length;
  }
  if (last < v.value.length) pieces.push({ ...v, value: v.value.slice(last) });
  if (pieces.length === 1) return pieces[0];
  const first = pieces.find((p): p is Extract<Value, { kind: 'unknown' }> => p.kind === 'unknown');
  if (first) return { kind: 'unknown', reason: first.reason, origin: v.origin, trace: v.trace, template: pieces };
  return {
    kind: 'string',
    value: pieces.map((p) => (p.kind === 'string' ? p.value : '')).join(''),
    origin: v.origin,
    trace: v.trace,
    template: pieces,
  };
}
