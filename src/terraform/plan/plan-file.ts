import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readTextFile } from '../../discover/read';
import { hasConfigExtension } from '../../discover/terraform-files';
import { SourceFile, type Problem } from '../../parse/source';
import type { ModuleLoader } from '../config/module-loader';
import { readPlan, type PlanResource } from './plan-json';
import type { Value } from '../eval/value';

/** Plans of large estates run to hundreds of MB; the bound is only against reads that never end. */
const MAX_PLAN_BYTES = 512 * 1024 * 1024;

/**
 * What a plan scan reads besides the plan: the configuration it was made from (the
 * directory given, else the plan's own), when that directory holds any; findings map
 * back to those files.
 */
export function planConfiguration(
  cwd: string,
  plan: string,
  configDir: string | undefined,
): { planFile: string; configDir: string | undefined; paths: string[] } {
  const planFile = path.resolve(cwd, plan);
  const dir = configDir ?? path.dirname(planFile);
  return { planFile, configDir: dir, paths: dir && hasConfiguration(path.resolve(cwd, dir)) ? [dir] : [] };
}

function hasConfiguration(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some(hasConfigExtension);
}

/**
 * The resources of a plan file, read within its bound; the file joins the loader's sources, for code frames.
 * The reading is synchronous; the caller awaits the result.
 */
export function readPlanFile(file: string, loader: ModuleLoader): Promise<PlanRead> {
  return Promise.resolve(readPlanFileNow(file, loader));
}

/** What a plan file holds for a scan: its changes, what it leaves unchanged, the root's variable values. */
export interface PlanRead {
  resources: PlanResource[];
  unchanged?: PlanResource[];
  variables?: Map<string, Value>;
  problems: Problem[];
}

function readPlanFileNow(file: string, loader: ModuleLoader): PlanRead {
  const read = readTextFile(file, MAX_PLAN_BYTES, 'plans are read up to 512 MiB');
  if (!read.ok)
    return {
      resources: [],
      problems: [
        {
          file: loader.displayPath(file),
          line: read.line ?? 0,
          column: read.column ?? 0,
          message: `cannot read the plan: ${read.message}`,
        },
      ],
    };
  const source = new SourceFile(loader.displayPath(file), read.text);
  loader.sources.set(source.path, source);
  const result = readPlan(source);
  return result.ok
    ? {
        resources: result.resources,
        ...(result.unchanged ? { unchanged: result.unchanged } : {}),
        ...(result.variables ? { variables: result.variables } : {}),
        problems: [],
      }
    : { resources: [], problems: result.problems };
}
