import { CONFIG_EXTENSIONS } from '../../discover/terraform-files';
import type { Problem } from '../../parse/source';
import type { Attribute, Block, Body, ParsedFile } from '../../parse/syntax';

/** `override.tf`, `x_override.tf`, their `.tf.json` forms and OpenTofu's `.tofu` ones. */
export function isOverrideFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return CONFIG_EXTENSIONS.some((e) => base === `override${e.extension}` || base.endsWith(`_override${e.extension}`));
}

/** What Terraform calls a missing original, by block type (configs/module.go). */
const MISSING = new Map([
  ['resource', 'Missing resource to override'],
  ['data', 'Missing data resource to override'],
  ['variable', 'Missing base variable declaration to override'],
  ['output', 'Missing base output definition to override'],
  ['module', 'Missing module call to override'],
  ['provider', 'Missing base provider configuration for override'],
]);

/**
 * A module's files with its override files merged in, as Terraform does: override
 * files apply after all others, in lexical order; each block merges into the primary
 * block of the same type and name, argument by argument, and nested blocks of a type
 * the override writes replace all of the original's blocks of that type. Locals
 * override one value at a time. A merged attribute keeps its range in the override
 * file, so findings point there.
 */
export function mergeOverrides(files: ParsedFile[]): { files: ParsedFile[]; problems: Problem[] } {
  const overrides = files.filter((f) => isOverrideFile(f.path)).sort((a, b) => compare(baseName(a.path), baseName(b.path)));
  if (overrides.length === 0) return { files, problems: [] };
  const primary = files
    .filter((f) => !isOverrideFile(f.path))
    .map((f) => ({ ...f, body: { attributes: f.body.attributes, blocks: [...f.body.blocks] } }));
  const problems: Problem[] = [];
  const index = new Map<string, { body: Body; at: number }>();
  const locals = new Map<string, { body: Body; at: number }>();
  for (const file of primary) {
    file.body.blocks.forEach((block, at) => {
      const key = blockKey(block);
      if (key && !index.has(key)) index.set(key, { body: file.body, at });
      if (block.type === 'locals')
        for (const name of block.body.attributes.keys()) if (!locals.has(name)) locals.set(name, { body: file.body, at });
    });
  }
  for (const file of overrides) {
    for (const block of file.body.blocks) {
      if (block.type === 'locals') {
        for (const [name, attr] of block.body.attributes) {
          const target = locals.get(name);
          if (!target) {
            problems.push(
              problem(
                attr.range,
                'Missing base local value definition to override',
                `There is no local value named "${name}". An override file can only override a local value that was already defined in a primary configuration file.`,
              ),
            );
            continue;
          }
          const original = target.body.blocks[target.at];
          const attributes = new Map(original.body.attributes);
          attributes.set(name, attr);
          target.body.blocks[target.at] = { ...original, body: { ...original.body, attributes } };
        }
        continue;
      }
      const key = blockKey(block);
      if (!key) continue;
      const target = index.get(key);
      if (target) target.body.blocks[target.at] = mergeBlock(target.body.blocks[target.at], block);
      else if (block.type === 'terraform') {
        // A terraform block needs no original.
        const first = primary.at(0);
        if (first) {
          first.body.blocks.push(block);
          index.set(key, { body: first.body, at: first.body.blocks.length - 1 });
        }
      } else if (MISSING.has(block.type)) {
        problems.push(
          problem(
            block.range,
            MISSING.get(block.type) ?? '',
            `There is no ${block.type} ${block.labels.map((l) => JSON.stringify(l)).join(' ')} in a primary configuration file for this override to apply to.`,
          ),
        );
      }
    }
  }
  return { files: primary, problems };
}

/** The identity an override block matches on; undefined for blocks that cannot be overridden. */
function blockKey(block: Block): string | undefined {
  switch (block.type) {
    case 'resource':
    case 'data':
      return block.labels.length === 2 ? `${block.type}.${block.labels.join('.')}` : undefined;
    case 'variable':
    case 'output':
    case 'module':
      return block.labels.length === 1 ? `${block.type}.${block.labels[0]}` : undefined;
    case 'provider': {
      const alias = block.body.attributes.get('alias')?.expr;
      const name = alias?.kind === 'literal' ? String(alias.value) : '';
      return block.labels.length === 1 ? `provider.${block.labels[0]}.${name}` : undefined;
    }
    case 'terraform':
      return 'terraform';
    default:
      return undefined;
  }
}

/** The type a nested block stands for: `dynamic "x"` is an x block. */
function nestedType(block: Block): string {
  return block.type === 'dynamic' ? (block.labels[0] ?? '') : block.type;
}

/**
 * Arguments of the override replace the original's one by one. Nested blocks of a
 * type the override writes replace all of the original's of that type; in JSON a
 * nested block is written as an attribute, so a name replaces both forms. A
 * resource's `lifecycle` merges argument by argument.
 */
export function mergeBlock(original: Block, override: Block): Block {
  const overrideTypes = new Set([...override.body.blocks.map(nestedType), ...override.body.attributes.keys()]);
  const attributes = new Map<string, Attribute>();
  for (const [name, attr] of original.body.attributes)
    if (!override.body.blocks.some((b) => nestedType(b) === name)) attributes.set(name, attr);
  for (const [name, attr] of override.body.attributes) attributes.set(name, attr);
  const mergesLifecycle = original.type === 'resource' || original.type === 'data';
  const blocks = original.body.blocks.filter((b) => !overrideTypes.has(nestedType(b)) || (mergesLifecycle && b.type === 'lifecycle'));
  for (const b of override.body.blocks) {
    const lifecycle = mergesLifecycle && b.type === 'lifecycle' ? blocks.findIndex((o) => o.type === 'lifecycle') : -1;
    if (lifecycle >= 0)
      blocks[lifecycle] = {
        ...blocks[lifecycle],
        body: {
          attributes: new Map([...blocks[lifecycle].body.attributes, ...b.body.attributes]),
          blocks: b.body.blocks.length ? b.body.blocks : blocks[lifecycle].body.blocks,
        },
      };
    else blocks.push(b);
  }
  return { ...original, body: { attributes, blocks } };
}

function problem(at: { file: string; line: number; column: number }, summary: string, detail: string): Problem {
  return { file: at.file, line: at.line, column: at.column, message: `${summary}: ${detail}` };
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
