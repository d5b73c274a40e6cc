import { createHash } from 'node:crypto';
import type { Finding } from '../policy/findings';

/** Stable across moved lines: the rule, the root and the resource address, not the position. */
export function fingerprint(f: Finding, algorithm: 'sha256' | 'md5' = 'sha256'): string {
  const identity = f.resource ? [f.ruleId, f.root, f.resource] : [f.ruleId, f.file, String(f.line)];
  // Each variant of a root is a finding of its own; without --each-var-file the identity is unchanged.
  if (f.variant !== undefined) identity.push(f.variant);
  return createHash(algorithm).update(identity.join('\u0000')).digest('hex');
}
