import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether a real path is `top` itself or lies under it. Both must be real paths
 * (realpathSync): a path that still holds a symlink or `..` proves nothing.
 */
export function isWithin(top: string, real: string): boolean {
  const rel = path.relative(top, real);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/**
 * Where a path really leads when that is outside every one of `tops` (the real paths
 * of the trees it may be in), or undefined when it is inside one. A path that cannot
 * be resolved (gone, a loop) counts as outside, with the reason.
 */
export function leadsOutside(abs: string, tops: readonly string[]): { real?: string; reason: string } | undefined {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    return { reason: `cannot resolve the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  return tops.some((top) => isWithin(top, real))
    ? undefined
    : { real, reason: `a symlink leads it to ${real}, outside the working directory` };
}
