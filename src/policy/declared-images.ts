import type { ImagePaths } from '../terraform/instances/image-paths';
import type { RuleDescriptor } from './engine';

/**
 * Where the rules say images are named (METADATA custom.images: resource type → paths)
 * and the data source types they read (custom.data_sources), built-in and custom rules
 * alike: paths add up, as each names more places to look. Entries that are not lists of
 * strings are ignored.
 */
export function declaredImages(rules: readonly RuleDescriptor[]): { paths: ImagePaths; dataSources: ReadonlySet<string> } {
  const paths = new Map<string, string[]>();
  const dataSources = new Set<string>();
  for (const rule of rules) {
    const images: unknown = rule.images;
    if (typeof images === 'object' && images !== null && !Array.isArray(images)) {
      for (const [type, list] of Object.entries(images as Record<string, unknown>)) {
        if (!Array.isArray(list)) continue;
        const known = paths.get(type) ?? [];
        for (const p of list) if (typeof p === 'string' && p && !known.includes(p)) known.push(p);
        paths.set(type, known);
      }
    }
    const data: unknown = rule.data_sources;
    if (Array.isArray(data)) for (const t of data) if (typeof t === 'string' && t) dataSources.add(t);
  }
  return { paths, dataSources };
}
