/**
 * A value the surrounding code guarantees is there (a key taken from the same map, a
 * match of a pattern that cannot fail); when it is not, that is a bug in tagguard, and
 * the error says which guarantee broke instead of failing later on an undefined.
 */
export function defined<T>(value: T | null | undefined, guarantee: string): T {
  if (value === undefined || value === null) throw new Error(`internal error: ${guarantee}`);
  return value;
}
