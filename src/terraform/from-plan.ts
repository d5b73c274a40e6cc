import type { PlanResource } from './plan';
import type { AttributeValue, BlockInstance, BlockValue, ResourceInstance } from './resources';
import { NESTED_BLOCKS } from './schema';
import { firstUnknown, toPlain, type Value } from './value';

/**
 * Resource instances from a plan. The plan's values decide; where the configuration
 * was scanned too, findings point at the source that wrote a value (the same
 * resource address, or the address without its index when the configuration could
 * not expand it) instead of at plan.json. An argument that the plan's configuration
 * section shows was not written (or written as null) is not set, whatever default the
 * provider planned for it, as a scan of the configuration would say.
 */
export function planInstances(plan: PlanResource[], types: ReadonlySet<string>, root: string, config: ResourceInstance[]): ResourceInstance[] {
  const byAddress = new Map(config.map((r) => [r.address, r]));
  return plan
    .filter((r) => r.mode === 'managed' && types.has(r.type))
    .map((r) => {
      const source = byAddress.get(r.address) ?? byAddress.get(r.address.replace(/\[[^\]]*\]$/, ''));
      const nested = NESTED_BLOCKS[r.type] ?? new Set<string>();
      const attributes: Record<string, AttributeValue> = {};
      const blocks: Record<string, BlockValue> = {};
      for (const [name, value] of r.attributes) {
        if (nested.has(name)) blocks[name] = blockValue(value, source?.blocks[name]);
        else attributes[name] = r.configured && !r.configured.has(name) ? notSet() : attributeValue(value, source?.attributes[name]);
      }
      return {
        address: r.address,
        root,
        module: r.moduleAddress,
        mode: 'managed',
        type: r.type,
        syntax: 'plan',
        location: source?.location ?? r.location,
        attributes,
        blocks,
      } satisfies ResourceInstance;
    });
}

/** An argument the configuration does not write: the finding points at the resource block. */
const notSet = (): AttributeValue => ({ set: false, known: true, trace: [] });

function attributeValue(v: Value, source: AttributeValue | undefined): AttributeValue {
  const fromSource = source?.set && source.location ? { location: source.location, trace: source.trace } : { location: v.origin, trace: v.trace };
  const missing = firstUnknown(v);
  if (missing) return { set: true, known: false, reason: missing.reason, ...fromSource };
  // In a plan, null is what an attribute that is not set plans to.
  if (v.kind === 'null') return { set: false, known: true, trace: [] };
  return { set: true, known: true, value: toPlain(v), ...fromSource };
}

function blockValue(v: Value, source: BlockValue | undefined): BlockValue {
  if (v.kind === 'unknown') return { set: true, known: false, reason: v.reason, instances: [] };
  const items = v.kind === 'list' ? v.items : v.kind === 'null' ? [] : [v];
  const instances = items.map((item, i): BlockInstance => {
    const location = source?.instances[i]?.location ?? item.origin!;
    const missing = firstUnknown(item);
    if (missing) return { known: false, reason: missing.reason, fields: {}, location, trace: [] };
    const plain = toPlain(item);
    return { known: true, fields: plain && typeof plain === 'object' && !Array.isArray(plain) ? plain : {}, location, trace: [] };
  });
  return { set: items.length > 0, known: true, instances };
}
