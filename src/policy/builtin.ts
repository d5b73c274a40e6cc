import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

/** The compiled built-in policies, committed so that users need no Go toolchain. */
export const BUILTIN_POLICY = path.join(packageRoot(), 'policies', 'dist', 'policy.wasm');

/** What scripts/build-policies.js records of the built-in rules' METADATA beside the WASM. */
interface Manifest {
  resource_types?: string[];
  nested_blocks?: Record<string, string[]>;
}

let manifest: Manifest | undefined;

function builtinManifest(): Manifest {
  return (manifest ??= JSON.parse(readFileSync(path.join(path.dirname(BUILTIN_POLICY), 'manifest.json'), 'utf8')) as Manifest);
}

/**
 * The resource types the built-in rules judge, as the build recorded them in the
 * manifest: known before the policy is loaded, so that the search for files that
 * can matter starts at once. A test holds them equal to what the policy says.
 */
export function builtinResourceTypes(): string[] {
  return builtinManifest().resource_types ?? [];
}

/**
 * The nested block types the built-in rules declare (METADATA custom.nested_blocks),
 * merged by resource type as the build recorded them. A test holds them equal to
 * what the policy says.
 */
export function builtinNestedBlocks(): Readonly<Record<string, readonly string[]>> {
  return builtinManifest().nested_blocks ?? {};
}
