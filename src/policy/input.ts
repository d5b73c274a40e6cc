import type { Range } from '../parse/source';
import type { AttributeValue, ImageValue, ResourceInstance } from '../terraform/instances/module-tree';
import { EMPTY_NAME, parseImageReference, type ImageReference, type Part } from './image-reference';
import { instanceAddress, type ResourceRef } from '../terraform/eval/value';
import type { UnseenRegistrySeverity } from './image-config';

export interface PolicyConfig {
  allowedMutableTags: string[];
  unknown: 'error' | 'warn' | 'ignore';
  /** Tags that move by convention: an image reference using one is an error (image-reference-immutable). Matched exactly. */
  movingTags: string[];
  /** The severity of a finding on an image tag in a registry tagguard cannot see (image-reference-immutable). */
  unseenRegistry: UnseenRegistrySeverity;
}

/** The tags allowed to stay mutable when none are given (`--allow-mutable-tag`; the policy's own default too). */
export const DEFAULT_ALLOWED_MUTABLE_TAGS: readonly string[] = ['latest'];

export { DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, UNSEEN_REGISTRY_SEVERITIES, type UnseenRegistrySeverity } from './image-config';

/** `input.config` as the policies read it (design.md: snake case). */
export function inputConfig(config: PolicyConfig) {
  return {
    allowed_mutable_tags: config.allowedMutableTags,
    unknown: config.unknown,
    moving_tags: config.movingTags,
    unseen_registry: config.unseenRegistry,
  };
}

/** A range as the policy input spells it (design.md: snake case, 1-based). */
export function location(r: Range) {
  return { file: r.file, line: r.line, column: r.column, end_line: r.endLine, end_column: r.endColumn };
}

/**
 * The resources an unknown value is read from: `address` and `key` as design.md names
 * them, and `instance`, the instance's address as the resource's own `address` spells it,
 * so that a policy joins resources by equality.
 */
function refs(list: ResourceRef[] | undefined) {
  if (!list?.length) return {};
  return {
    refs: list.map((r) => ({
      address: r.address,
      ...(r.key === undefined ? {} : { key: r.key }),
      ...(r.attribute === undefined ? {} : { attribute: r.attribute }),
      instance: instanceAddress(r),
      ...(r.derived ? { derived: true } : {}),
    })),
  };
}

function attribute(a: AttributeValue) {
  return {
    set: a.set,
    known: a.known,
    ...(a.known ? { value: a.value } : { reason: a.reason }),
    ...refs(a.refs),
    ...(a.template ? { template: a.template.map(part) } : {}),
    ...(a.location ? { location: location(a.location) } : {}),
    trace: a.trace,
  };
}

/** A place as the input spells it, when there is one. */
const placed = (r: Range | undefined) => (r ? { location: location(r) } : {});

/** A part of a template or of an image reference (image-reference.ts), in the input's spelling. */
function part(p: Part & { implied?: boolean }) {
  return {
    known: p.known,
    ...(p.known ? { value: p.value } : { reason: p.reason }),
    ...(p.implied ? { implied: true } : {}),
    ...refs(p.refs),
    ...placed(p.location),
    trace: p.trace,
  };
}

/** An image as the input spells it, with its reference parsed (image-reference.ts). */
export function imageInput(i: ImageValue) {
  // The reference holds what the template's parts say; the parts themselves are not repeated.
  const { pieces: _, template: __, path, ...value } = i;
  // A number or a list where an image is named is no reference (the provider would reject it).
  const reference: ImageReference | undefined =
    i.known && typeof i.value !== 'string'
      ? { name: EMPTY_NAME, invalid: `the image is ${JSON.stringify(i.value)}, not a string` }
      : parseImageReference(i.pieces);
  return {
    path,
    ...attribute(value),
    ...(reference
      ? {
          reference: {
            name: reference.name.known ? reference.name : { ...reference.name, ...refs(reference.name.refs) },
            ...(reference.tag ? { tag: part(reference.tag) } : {}),
            ...(reference.digest ? { digest: part(reference.digest) } : {}),
            ...(reference.invalid ? { invalid: reference.invalid } : {}),
          },
        }
      : {}),
  };
}

/**
 * What a policy reads besides the resources it judges: the data sources the rules declare,
 * and the managed resources a plan leaves unchanged (they exist, so they decide what other
 * resources name, but the plan does not change them, so they are not judged).
 */
export interface InputContext {
  dataSources?: ResourceInstance[];
  unchanged?: ResourceInstance[];
}

/** The document every policy is evaluated against, once per scan. */
export function policyInput(resources: ResourceInstance[], config: PolicyConfig, context: InputContext = {}) {
  const { dataSources = [], unchanged = [] } = context;
  return {
    resources: resources.map(resource),
    ...(dataSources.length ? { data_sources: dataSources.map(resource) } : {}),
    ...(unchanged.length ? { unchanged: unchanged.map(resource) } : {}),
    config: inputConfig(config),
  };
}

function resource(r: ResourceInstance) {
  return {
    address: r.address,
    root: r.root,
    type: r.type,
    mode: r.mode,
    module: r.module,
    origin: r.constructPath ? 'cdktf' : r.syntax,
    ...(r.constructPath ? { construct_path: r.constructPath } : {}),
    location: location(r.location),
    ...(r.provider ? { provider: r.provider } : {}),
    ...(r.uncertain ? { existence: { known: false, reason: r.uncertain.reason, location: location(r.uncertain.at) } } : {}),
    attributes: {
      ...Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, attribute(v)])),
      ...Object.fromEntries(
        Object.entries(r.blocks).map(([k, b]) => [
          k,
          {
            set: b.set,
            known: b.known,
            ...(b.reason ? { reason: b.reason } : {}),
            value: b.instances.map((i) => ({
              ...i.fields,
              known: i.known,
              ...(i.reason ? { reason: i.reason } : {}),
              ...refs(i.refs),
              location: location(i.location),
              trace: i.trace,
              ...(i.origins && Object.keys(i.origins).length
                ? {
                    field_origins: Object.fromEntries(
                      Object.entries(i.origins).map(([k, o]) => [k, { location: location(o.location), trace: o.trace }]),
                    ),
                  }
                : {}),
            })),
          },
        ]),
      ),
    },
    ...(r.images ? { images: r.images.map(imageInput) } : {}),
  };
}

export type PolicyInput = ReturnType<typeof policyInput>;
