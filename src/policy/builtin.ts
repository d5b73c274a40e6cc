import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

/** The compiled built-in policies, committed so that users need no Go toolchain. */
export const BUILTIN_POLICY = path.join(packageRoot(), 'policies', 'dist', 'policy.wasm');

/**
 * The resource types the built-in rules judge, as the build recorded them in the
 * manifest: known before the policy is loaded, so that the search for files that
 * can matter starts at once. A test holds them equal to what the policy says.
 */
export function builtinResourceTypes(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(BUILTIN_POLICY), 'manifest.json'), 'utf8')) as { resource_types?: string[] };
  return manifest.resource_types ?? [];
}
