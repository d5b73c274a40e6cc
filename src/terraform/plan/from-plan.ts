import type { PlanResource } from './plan-json';
import {
  imageValue,
  type AttributeValue,
  type BlockInstance,
  type BlockValue,
  type ImageValue,
  type ResourceInstance,
  type TemplatePiece,
} from '../instances/module-tree';
import { parseImageReference } from '../../policy/image-reference';
import { valuesInValue, type ImagePaths } from '../instances/image-paths';
import { nestedBlocksOf, type NestedBlocks } from '../config/nested-blocks';
import { firstUnknown, map, parseReference, refsOf, toPlain, type ResourceRef, type Value } from '../eval/value';
import { defined } from '../defined';

/**
 * Resource instances from a plan. The plan's values decide; where the configuration
 * was scanned too, findings point at the source that wrote a value (the same
 * resource address, or the address without its index when the configuration could
 * not expand it) instead of at plan.json. An argument that the plan's configuration
 * section shows was not written (or written as null) is not set, whatever default the
 * provider planned for it, as a scan of the configuration would say.
 */
export function planInstances(
  plan: PlanResource[],
  types: ReadonlySet<string>,
  nestedBlocks: NestedBlocks,
  root: string,
  config: ResourceInstance[],
  images: ImagePaths = new Map(),
): ResourceInstance[] {
  const findSource = configSource(config);
  return plan
    .filter((r) => r.mode === 'managed' && types.has(r.type))
    .map((r) => {
      const source = findSource(r.address);
      const nested = nestedBlocksOf(nestedBlocks, r.type);
      const attributes: Record<string, AttributeValue> = {};
      const blocks: Record<string, BlockValue> = {};
      for (const [name, value] of r.attributes) {
        if (nested.has(name)) blocks[name] = blockValue(value, source?.blocks[name]);
        else
          attributes[name] =
            r.configured && !r.configured.has(name)
              ? notSet()
              : attributeValue(value, source?.attributes[name], planRefs(r, r.references?.get(name)));
      }
      return {
        address: r.address,
        root,
        module: r.moduleAddress,
        mode: 'managed',
        type: r.type,
        syntax: 'plan',
        location: source?.location ?? r.location,
        ...(source?.provider ? { provider: source.provider } : {}),
        attributes,
        blocks,
        ...imagesOf(r, images.get(r.type), source),
      } satisfies ResourceInstance;
    });
}

/** An argument the configuration does not write: the finding points at the resource block. */
const notSet = (): AttributeValue => ({ set: false, known: true, trace: [] });

/** An instance key: `[0]` or `["a"]`. */
const KEY = /\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g;

/**
 * The configuration instance a plan address was made from: the same address, or one
 * whose unknown count or for_each left some keys out (`module.ecr.aws_ecr_repository.r`
 * for `module.ecr["api"].aws_ecr_repository.r[0]`); the one with the most keys in common wins.
 */
function configSource(config: ResourceInstance[]): (address: string) => ResourceInstance | undefined {
  const byShape = new Map<string, ResourceInstance[]>();
  for (const r of config) {
    const shape = r.address.replace(KEY, '');
    byShape.set(shape, [...(byShape.get(shape) ?? []), r]);
  }
  return (address) => {
    const wanted = keysOf(address);
    let best: ResourceInstance | undefined;
    let bestCount = -1;
    for (const r of byShape.get(address.replace(KEY, '')) ?? []) {
      const keys = keysOf(r.address);
      // Where the configuration knows a key it must be the plan's; where it could not, any key will do.
      if (![...keys].every(([at, key]) => wanted.get(at) === key)) continue;
      if (keys.size > bestCount) [best, bestCount] = [r, keys.size];
    }
    return best;
  };
}

/** An address's instance keys, by where they stand in the address without keys. */
function keysOf(address: string): Map<number, string> {
  const keys = new Map<number, string>();
  let removed = 0;
  for (const m of address.matchAll(KEY)) {
    keys.set(m.index - removed, m[0]);
    removed += m[0].length;
  }
  return keys;
}

/**
 * The resources an argument reads, from the plan's configuration section, for a plan
 * scanned without its configuration. `x[count.index]` is listed as `x`: the
 * reference names one of x's instances, which one the plan does not tell.
 */
export function planRefs(r: Pick<PlanResource, 'moduleAddress'>, references: readonly string[] | undefined): ResourceRef[] {
  if (!references?.length) return [];
  const byResource = new Map<string, ResourceRef>();
  for (const text of references) {
    const parsed = parseReference(text, r.moduleAddress);
    if (!parsed) continue;
    const known = byResource.get(parsed.address);
    // Terraform lists each prefix of a traversal: the longest says the most.
    if (!known || Object.keys(parsed).length > Object.keys(known).length) byResource.set(parsed.address, parsed);
  }
  return [...byResource.values()];
}

function attributeValue(v: Value, source: AttributeValue | undefined, fromPlan: ResourceRef[] = []): AttributeValue {
  const fromSource =
    source?.set && source.location ? { location: source.location, trace: source.trace } : { location: v.origin, trace: v.trace };
  const missing = firstUnknown(v);
  // The plan says only that the value is unknown; the configuration says which resources it is read from.
  const refs = source?.refs ?? (fromPlan.length ? fromPlan : refsOf(v));
  if (missing)
    return {
      set: true,
      known: false,
      reason: missing.reason,
      ...fromSource,
      ...(refs.length ? { refs } : {}),
      ...(source?.template ? { template: source.template } : {}),
    };
  // In a plan, null is what an attribute that is not set plans to.
  if (v.kind === 'null') return { set: false, known: true, trace: [] };
  return { set: true, known: true, value: toPlain(v), ...fromSource };
}

function blockValue(v: Value, source: BlockValue | undefined): BlockValue {
  if (v.kind === 'unknown') return { set: true, known: false, reason: v.reason, instances: [] };
  const items = v.kind === 'list' ? v.items : v.kind === 'null' ? [] : [v];
  const instances = items.map((item, i): BlockInstance => {
    const location = source?.instances[i]?.location ?? defined(item.origin, 'a value read from a plan has its place in the plan');
    const missing = firstUnknown(item);
    if (missing) return { known: false, reason: missing.reason, fields: {}, location, trace: [] };
    const plain = toPlain(item);
    const fields: Record<string, unknown> = plain && typeof plain === 'object' && !Array.isArray(plain) ? plain : {};
    // Each field where the source wrote it, else where the plan does.
    const fromPlan: NonNullable<BlockInstance['origins']> = {};
    if (item.kind === 'map') for (const [k, e] of item.entries) if (e.origin) fromPlan[k] = { location: e.origin, trace: e.trace };
    const origins = source?.instances[i]?.origins ?? fromPlan;
    return { known: true, fields, origins, location, trace: [] };
  });
  return { set: items.length > 0, known: true, instances };
}

/**
 * The values at the image paths in a plan. A known value is the plan's, placed where the
 * configuration writes it when that was scanned; an unknown one is the configuration's
 * (its parts, and the resources they read), else the plan's reason.
 */
function imagesOf(
  r: PlanResource,
  paths: readonly string[] | undefined,
  source: ResourceInstance | undefined,
): Pick<ResourceInstance, 'images'> {
  if (!paths) return {};
  const written = new Map((source?.images ?? []).map((i) => [i.path, i]));
  return {
    images: valuesInValue(map(r.attributes), paths, r.location).flatMap(({ path, value }): ImageValue[] => {
      const from = written.get(path);
      if (firstUnknown(value)) {
        if (from) return [from];
        // The plan cannot see inside an unknown value (container_definitions after_unknown),
        // but the configuration may: its images under that path, each where it is written.
        const under = (source?.images ?? []).filter((i) => i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
        if (under.length) return under;
        return [imageValue(undefined, { path, value })];
      }
      const placed = from?.location ? { ...value, origin: from.location, trace: from.trace } : value;
      if (from?.known && from.value === toPlain(value)) return [{ ...from, path }];
      const image = imageValue(undefined, { path, value: placed });
      return [from && value.kind === 'string' ? { ...image, pieces: placedPieces(value.value, from) } : image];
    }),
  };
}

/**
 * The plan's text of an image, in parts placed where the configuration writes them: the
 * name at the image, the `:tag` (and what follows) at the tag's origin in the configuration
 * (the `:v1` of a template, the tfvars value of var.tag), so a finding about the tag points
 * there and not at the interpolation of the repository's address.
 */
function placedPieces(text: string, from: ImageValue): TemplatePiece[] {
  const whole: TemplatePiece[] = [{ known: true, value: text, location: from.location, trace: from.trace }];
  const written = parseImageReference(from.pieces)?.tag;
  const planned = parseImageReference(whole)?.tag;
  if (!written?.location || written.implied || !planned || planned.implied) return whole;
  const digest = text.indexOf('@');
  const sep = (digest < 0 ? text : text.slice(0, digest)).lastIndexOf(':');
  if (sep < 0) return whole;
  return [
    { known: true, value: text.slice(0, sep), location: from.location, trace: from.trace },
    { known: true, value: text.slice(sep), location: written.location, trace: written.trace },
  ];
}
