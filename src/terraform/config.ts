import path from 'node:path';
import type { Range } from '../parse/source';
import type { Attribute, Block, Expr, ParsedFile, Syntax } from '../parse/syntax';

export interface VariableDecl {
  name: string;
  default?: Expr;
  range: Range;
}

export interface ResourceBlock {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  block: Block;
  syntax: Syntax;
}

/** What one module directory declares, gathered from all of its files. */
export interface ModuleConfig {
  /** Absolute directory path. */
  dir: string;
  files: ParsedFile[];
  resources: ResourceBlock[];
  variables: Map<string, VariableDecl>;
  locals: Map<string, Attribute>;
}

export function moduleConfig(dir: string, files: ParsedFile[]): ModuleConfig {
  const config: ModuleConfig = { dir, files, resources: [], variables: new Map(), locals: new Map() };
  for (const file of files) {
    for (const block of file.body.blocks) {
      switch (block.type) {
        case 'resource':
        case 'data':
          if (block.labels.length === 2) {
            const [type, name] = block.labels;
            config.resources.push({ mode: block.type === 'resource' ? 'managed' : 'data', type: type!, name: name!, block, syntax: file.syntax });
          }
          break;
        case 'variable':
          if (block.labels[0]) config.variables.set(block.labels[0], { name: block.labels[0], default: block.body.attributes.get('default')?.expr, range: block.range });
          break;
        case 'locals':
          for (const attr of block.body.attributes.values()) config.locals.set(attr.name, attr);
          break;
      }
    }
  }
  return config;
}

/** Groups parsed files by directory: in Terraform a directory is a module. */
export function modulesOf(files: Array<{ absPath: string; parsed: ParsedFile }>): ModuleConfig[] {
  const byDir = new Map<string, ParsedFile[]>();
  for (const f of files) {
    const dir = path.dirname(f.absPath);
    byDir.set(dir, [...(byDir.get(dir) ?? []), f.parsed]);
  }
  return [...byDir.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dir, parsed]) => moduleConfig(dir, parsed));
}
