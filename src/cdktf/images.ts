import type { Range } from '../parse/source';
import { parseNumber } from '../terraform/eval/number';
import { bool, list, map, nil, num, parseReference, str, type Value } from '../terraform/eval/value';
import { valuesInValue } from '../terraform/instances/image-paths';
import { piecesOf, type ImageValue } from '../terraform/instances/module-tree';

/** An interpolation in synthesized text: `${…}` with no braces inside (cdktf writes references so). */
const INTERPOLATION = /\$\{([^{}]*)\}/g;

/**
 * The values at a type's image paths in what a construct synthesizes (tokens resolved to
 * Terraform expressions): text with `${…}` is a template whose whole references name the
 * resources they read, as in a scan of the synth output.
 */
export function constructImages(body: unknown, paths: readonly string[] | undefined, at: Range): ImageValue[] | undefined {
  if (!paths) return undefined;
  return valuesInValue(toValue(body, at), paths, at).map(({ path, value }) => {
    const pieces = piecesOf(undefined, value);
    const known = value.kind !== 'unknown';
    return {
      path,
      set: true,
      known,
      ...(known ? { value: value.kind === 'string' ? value.value : undefined } : { reason: value.reason }),
      location: at,
      trace: [],
      pieces,
    };
  });
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
  const matches = [...s.matchAll(INTERPOLATION)];
  if (!matches.length && !/[$%]\{/.test(s)) return str(s, at);
  if (!matches.length) return { kind: 'unknown', reason: 'an expression cdktf leaves to Terraform', origin: at, trace: [] };
  const pieces: Value[] = [];
  let last = 0;
  for (const m of matches) {
    if (m.index > last) pieces.push(str(s.slice(last, m.index), at));
    const ref = parseReference(m[1], '', true);
    const reason = `${m[1]} is known only after apply`;
    pieces.push({ kind: 'unknown', reason, ...(ref ? { refs: [ref] } : {}), origin: at, trace: [] });
    last = m.index + m[0].length;
  }
  if (last < s.length) pieces.push(str(s.slice(last), at));
  const first = pieces.find((p) => p.kind === 'unknown');
  if (pieces.length === 1 && first) return first;
  return { kind: 'unknown', reason: first?.kind === 'unknown' ? first.reason : 'unknown', origin: at, trace: [], template: pieces };
}
