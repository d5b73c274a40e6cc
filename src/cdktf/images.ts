import type { Range } from '../parse/source';
import { parseNumber } from '../terraform/eval/number';
import { bool, list, map, nil, num, parseReference, str, type Value } from '../terraform/eval/value';
import { valuesInValue } from '../terraform/instances/image-paths';
import { imageValue, type ImageValue } from '../terraform/instances/module-tree';

/** An interpolation that is a reference: `${…}` with no braces inside (cdktf writes references so). */
const INTERPOLATION = /^\$\{[^{}]*\}$/;

/**
 * The top-level `${…}` of synthesized text, braces and quoted strings inside counted, or
 * undefined when one is not closed. A regular expression would split
 * `${jsonencode([{"image" = "${aws_ecr_repository.api.repository_url}:latest"}])}` at
 * its inner interpolation and read `latest"}])}` as a tag.
 */
function interpolations(s: string): { index: number; end: number; inner: string }[] | undefined {
  const found: { index: number; end: number; inner: string }[] = [];
  let i = s.indexOf('${');
  while (i >= 0) {
    let depth = 1;
    let quoted = false;
    let j = i + 2;
    for (; j < s.length && depth > 0; j++) {
      const c = s[j];
      if (quoted) {
        if (c === '\\') j++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth > 0) return undefined;
    found.push({ index: i, end: j, inner: s.slice(i + 2, j - 1) });
    i = s.indexOf('${', j);
  }
  return found;
}

/**
 * The values at a type's image paths in what a construct synthesizes (tokens resolved to
 * Terraform expressions): text with `${…}` is a template whose whole references name the
 * resources they read, as in a scan of the synth output.
 */
export function constructImages(body: unknown, paths: readonly string[] | undefined, at: Range): ImageValue[] | undefined {
  if (!paths) return undefined;
  return valuesInValue(toValue(body, at), paths, at).map((found) => imageValue(undefined, found));
}

function toValue(x: unknown, at: Range): Value {
  if (x === null || x === undefined) return nil(at);
  if (typeof x === 'string') return text(x, at);
  if (typeof x === 'boolean') return bool(x, at);
  if (typeof x === 'number') {
    const n = parseNumber(String(x));
    return n ? num(n, at) : nil(at);
  }
  if (Array.isArray(x))
    return list(
      x.map((i) => toValue(i, at)),
      at,
    );
  if (typeof x === 'object')
    return map(
      Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, toValue(v, at)]),
      at,
    );
  return nil(at);
}

function text(s: string, at: Range): Value {
  const matches = interpolations(s);
  const expression: Value = { kind: 'unknown', reason: 'an expression cdktf leaves to Terraform', origin: at, trace: [] };
  if (!matches) return expression;
  if (!matches.length && !/[$%]\{/.test(s)) return str(s, at);
  // An interpolation that is not a whole reference (`${jsonencode([…])}` of Fn.jsonencode,
  // `${x + 1}`) is an expression: the text is not a template of its parts.
  if (!matches.length || matches.some((m) => !INTERPOLATION.test(`\${${m.inner}}`))) return expression;
  const pieces: Value[] = [];
  let last = 0;
  for (const m of matches) {
    if (m.index > last) pieces.push(str(s.slice(last, m.index), at));
    const ref = parseReference(m.inner, '', true);
    const reason = `${m.inner} is known only after apply`;
    pieces.push({ kind: 'unknown', reason, ...(ref ? { refs: [ref] } : {}), origin: at, trace: [] });
    last = m.end;
  }
  if (last < s.length) pieces.push(str(s.slice(last), at));
  const first = pieces.find((p) => p.kind === 'unknown');
  if (pieces.length === 1 && first) return first;
  return { kind: 'unknown', reason: first?.kind === 'unknown' ? first.reason : 'unknown', origin: at, trace: [], template: pieces };
}
