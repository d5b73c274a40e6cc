import type { Range } from '../parse/source';
import type { Attribute, Block, Expr, ParsedFile, Syntax } from '../parse/syntax';

export interface VariableDecl {
  name: string;
  default?: Expr;
  type?: Expr;
  range: Range;
}

export interface ModuleCall {
  name: string;
  /** The literal `source`; undefined when it is not a plain string. */
  source?: string;
  block: Block;
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
  calls: ModuleCall[];
}

export function moduleConfig(dir: string, files: ParsedFile[]): ModuleConfig {
  const config: ModuleConfig = { dir, files, resources: [], variables: new Map(), locals: new Map(), calls: [] };
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
          if (block.labels[0]) {
            const attrs = block.body.attributes;
            config.variables.set(block.labels[0], { name: block.labels[0], default: attrs.get('default')?.expr, type: attrs.get('type')?.expr, range: block.range });
          }
          break;
        case 'module': {
          const source = block.body.attributes.get('source')?.expr;
          if (block.labels[0]) config.calls.push({ name: block.labels[0], source: source?.kind === 'literal' && typeof source.value === 'string' ? source.value : undefined, block });
          break;
        }
        case 'locals':
          for (const attr of block.body.attributes.values()) config.locals.set(attr.name, attr);
          break;
      }
    }
  }
  return config;
}
