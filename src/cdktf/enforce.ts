import { DefaultTokenResolver, StringConcat, Token, Tokenization, type TerraformResource } from 'cdktf';
import { builtinNestedBlocks } from '../policy/builtin';
import type { RawFinding } from '../policy/engine';
import { imageInput, inputConfig, type PolicyConfig } from '../policy/input';
import type { ImagePaths } from '../terraform/instances/image-paths';
import { constructImages } from './images';
import { instanceAddress, parseReference } from '../terraform/eval/value';

/** An attribute as the policy input document spells it (src/policy/input.ts). */
export interface PolicyAttribute {
  set: boolean;
  known: boolean;
  value?: unknown;
  reason?: string;
  refs?: { address: string; key?: string | number; attribute?: string; instance: string }[];
}

/** What a rule's CDKTF fix is given: the construct, what the policy saw of it, and its error findings there. */
export interface EnforceContext {
  resource: TerraformResource;
  attributes: Record<string, PolicyAttribute>;
  findings: RawFinding[];
  config: PolicyConfig;
  /** The index of the `blockType` element a finding is at; undefined when it is not at one. */
  blockIndex: (finding: RawFinding, blockType: string) => number | undefined;
}

/** A rule's enforce-mode fix: what it changed, or why a person must. */
export type CdktfFixer = (context: EnforceContext) => { done: string } | { manual: string };

const UNRESOLVED = 'an unresolved token at synth time';

/** Terraform's meta-arguments and cdktf's metadata: never passed to a policy. */
const NOT_ATTRIBUTES = new Set(['//', 'count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);

/** Where an element of a nested block list is, for a finding to point at: one "file" per block type, one "line" per element. */
function elementLocation(path: string, blockType: string, index: number) {
  return { file: `${path}#${blockType}`, line: index + 1, column: 1, end_line: index + 1, end_column: 1 };
}

export function blockIndexOf(path: string) {
  return (finding: RawFinding, blockType: string): number | undefined =>
    finding.location?.file === `${path}#${blockType}` ? finding.location.line - 1 : undefined;
}

/**
 * A value that holds a token anywhere: cdktf resolves it only at synth, so the policy cannot
 * know it. A plain string with `${…}` (an override written as text) is an expression to Terraform too.
 */
function hasToken(value: unknown): boolean {
  if (Token.isUnresolved(value) || Tokenization.isResolvable(value)) return true;
  if (typeof value === 'string') return /(?<!\$)[$%]\{/.test(value);
  if (Array.isArray(value)) return value.some(hasToken);
  if (value && typeof value === 'object') return Object.values(value).some(hasToken);
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The policy input for one construct, from what it will synthesize (its config with
 * addOverride applied, through toTerraform): a nested block the rules declare (the
 * manifest's nested_blocks) is a list of elements, each located by its index; a value
 * with an unresolved token is unknown.
 */
export function constructInput(
  resource: TerraformResource,
  config: PolicyConfig,
  others: readonly TerraformResource[] = [],
  images: ImagePaths = new Map(),
) {
  return {
    resources: [resource, ...others].map((r) => constructResource(r, images)),
    config: inputConfig(config),
  };
}

/** A value with its tokens resolved to the Terraform expressions cdktf writes for them. */
function resolveTokens(resource: TerraformResource, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: resource, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** The resource a token names (design.md: refs), when the token is one whole reference: `${type.name.attribute}`. */
function tokenRefs(resource: TerraformResource, value: unknown): Pick<PolicyAttribute, 'refs'> {
  const resolved: unknown = typeof value === 'string' ? resolveTokens(resource, value) : undefined;
  const whole = typeof resolved === 'string' ? /^\$\{([^${}]*)\}$/.exec(resolved) : null;
  const ref = whole ? parseReference(whole[1], '', true) : undefined;
  return ref ? { refs: [{ ...ref, instance: instanceAddress(ref) }] } : {};
}

function constructResource(resource: TerraformResource, images: ImagePaths) {
  const type = resource.terraformResourceType;
  const path = resource.node.path;
  const blocks = new Set(builtinNestedBlocks()[type] ?? []);
  const synthesized = resource.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const [[name, body] = ['', {}]] = Object.entries(synthesized.resource?.[type] ?? {});
  const attributes: Record<string, PolicyAttribute> = {};
  for (const [key, written] of Object.entries(body)) {
    if (NOT_ATTRIBUTES.has(key) || written === undefined || written === null) continue;
    const value = blocks.has(key) && isPlainObject(written) ? [written] : written;
    if (blocks.has(key) && Array.isArray(value) && !Token.isUnresolved(value) && value.every(isPlainObject)) {
      attributes[key] = {
        set: true,
        known: true,
        value: value.map((fields, i) => ({
          ...(hasToken(fields) ? { known: false, reason: UNRESOLVED } : { ...fields, known: true }),
          location: elementLocation(path, key, i),
          trace: [],
        })),
      };
    } else if (hasToken(value)) attributes[key] = { set: true, known: false, reason: UNRESOLVED, ...tokenRefs(resource, value) };
    else attributes[key] = { set: true, known: true, value };
  }
  const location = { file: path, line: 1, column: 1, endLine: 1, endColumn: 1 };
  const resolved: unknown = images.has(type) ? resolveTokens(resource, body) : undefined;
  const found = constructImages(resolved, images.get(type), location);
  return {
    address: `${type}.${name}`,
    root: '',
    type,
    mode: 'managed',
    module: '',
    origin: 'cdktf',
    construct_path: path,
    location: { file: path, line: 1, column: 1 },
    attributes,
    ...(found ? { images: found.map(imageInput) } : {}),
  };
}
