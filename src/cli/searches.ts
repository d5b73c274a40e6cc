import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TextSearch } from '../discover/pre-search';
import { builtinResourceTypes } from '../policy/builtin';
import { LOCAL_SOURCE, mattersSearch } from '../discover/relevance';
import type { ScanOptions } from '../scan/run';

export interface PlannedSearch {
  root: string;
  search: TextSearch;
  /** callers: files with local module calls (a scan of named files); matters: files worth reading (a whole-tree scan). */
  kind: 'callers' | 'matters';
}

/**
 * The grep searches a scan will use (search.ts), decided from its options alone, so
 * that main.ts can start them before the scanner's modules load. A scan that judges
 * with custom policies, or a plan, reads every file itself: their resource types are
 * known only once they are loaded.
 */
export function plannedSearches(options: ScanOptions, customEngine = false): PlannedSearch[] {
  if (options.plan) return [];
  const roots = options.paths.map((p) => path.resolve(options.cwd, p)).filter((p) => existsSync(p) && statSync(p).isDirectory());
  if (options.onlyFiles) return roots.map((root) => ({ root, search: LOCAL_SOURCE, kind: 'callers' }));
  if (customEngine || options.policies?.length) return [];
  const search = mattersSearch(builtinResourceTypes());
  return roots.map((root) => ({ root, search, kind: 'matters' }));
}
