import path from 'node:path';
import { findNodeAtOffset, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { Range, SourceFile } from '../parse/source';
import type { BlockInstance, BlockValue, ResourceInstance } from '../terraform/instances/module-tree';
import { combine, type Edit, type EditsOrReason } from './edit';

/**
 * Text edits any rule's fixer can make in HCL and Terraform JSON. Each changes the
 * origin of a value (where a literal is written), keeps every other byte, and returns
 * the reason instead when the change cannot be made safely.
 */

/** A literal string or null, the only values these edits replace. */
const LITERAL = /^("[^"\\$%]*"|null)$/;

/** The white space a line starts with. */
const leadingSpace = (line: string) => line.slice(0, line.length - line.trimStart().length);

/** A resource's `blockType` blocks; a resource without them has no entry (the record's type does not say so). */
const blocksOf = (r: ResourceInstance, blockType: string): BlockValue | undefined =>
  Object.hasOwn(r.blocks, blockType) ? r.blocks[blockType] : undefined;

/** The source a fix may edit, or why it may not: registry modules and files outside the tree are never edited. */
export function editable(file: string, sources: ReadonlyMap<string, SourceFile>): SourceFile | string {
  if (file.startsWith('(model)') || /(^|\/)\.terraform\//.test(file))
    return 'the value is written in a registry module, not in the scanned code';
  if (file.startsWith('../') || path.isAbsolute(file)) return 'the file is outside the working directory';
  return sources.get(file) ?? 'the file is outside the scanned tree';
}

/** A string literal (or null) becomes `text` where it is written. */
export function replaceLiteral(at: Range, text: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(at.line, at.column);
  const end = source.offset(at.endLine, at.endColumn);
  if (!LITERAL.test(source.text.slice(start, end))) return 'the value is computed by an expression, not written as a literal';
  return [{ file: at.file, start, end, text }];
}

/** A boolean literal (`true`, `false`, or either as a string, which Terraform converts) becomes `value` where it is written. */
export function replaceBooleanLiteral(at: Range, value: boolean, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(at.line, at.column);
  const end = source.offset(at.endLine, at.endColumn);
  if (!/^("?)(true|false)\1$/.test(source.text.slice(start, end)))
    return 'the value is computed by an expression, not written as a literal';
  return [{ file: at.file, start, end, text: String(value) }];
}

/** Adds `name = text` (HCL) or `"name": value` (JSON) to a resource that lacks it. */
export function insertResourceAttribute(
  r: ResourceInstance,
  name: string,
  value: string,
  sources: ReadonlyMap<string, SourceFile>,
): EditsOrReason {
  const source = editable(r.location.file, sources);
  if (typeof source === 'string') return source;
  if (source.path.endsWith('.json')) {
    const object = jsonObjectAt(source, r.location);
    return object ? insertJsonProperty(source, object, name, JSON.stringify(value)) : 'the resource object was not found in the JSON file';
  }
  return insertAttribute(r.location, name, JSON.stringify(value), source);
}

/** A first line `name = text` in an HCL block, aligned with the attribute group it joins. */
export function insertAttribute(block: Range, name: string, text: string, source: SourceFile): EditsOrReason {
  const headerEnd = source.offset(block.line + 1, 1);
  const header = source.lineText(block.line);
  if (!header.trimEnd().endsWith('{') || block.endLine === block.line) return 'the block is written on one line';
  const indent = leadingSpace(header) + '  ';
  const group = attributeGroup(source, block.line + 1, indent);
  const lines = [{ key: name, rest: ` ${text}` }, ...group.lines];
  const width = Math.max(...lines.map((l) => l.key.length));
  const aligned = lines.map(({ key, rest }) => `${indent}${key.padEnd(width)} =${rest}`);
  return [{ file: source.path, start: headerEnd, end: group.end, text: aligned.map((l) => l + source.eol).join('') }];
}

/**
 * The attribute lines that terraform fmt aligns with a line inserted at `line`: consecutive, same indent, one line each.
 * Each as its name and what follows its `=`.
 */
function attributeGroup(source: SourceFile, line: number, indent: string): { lines: { key: string; rest: string }[]; end: number } {
  const lines: { key: string; rest: string }[] = [];
  let l = line;
  for (; ; l++) {
    const m = /^(\s*)([\w-]+)\s*=(\s*(.*))$/.exec(source.lineText(l));
    if (m?.[1] !== indent || /[{[(]\s*$/.test(m[4]) || m[4].includes('<<')) break;
    lines.push({ key: m[2], rest: m[3] });
  }
  return { lines, end: source.offset(l, 1) };
}

/** Removes every `blockType` block of a resource: each block (HCL), or the property that holds them (JSON). */
export function removeAllBlocks(r: ResourceInstance, blockType: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const block = blocksOf(r, blockType);
  if (!block) return [];
  if (!block.known) return `the ${blockType} blocks come from a dynamic block whose for_each is not known`;
  return removeBlocks(
    block.instances.map((b) => b.location),
    blockType,
    sources,
  );
}

/** The `blockType` blocks go and `"name": value` comes (in JSON, one property takes the other's place). */
export function replaceBlocksWithAttribute(
  r: ResourceInstance,
  blockType: string,
  name: string,
  value: string,
  sources: ReadonlyMap<string, SourceFile>,
): EditsOrReason {
  const block = blocksOf(r, blockType);
  const source = editable(r.location.file, sources);
  if (block?.known && block.instances.length && typeof source !== 'string' && source.path.endsWith('.json')) {
    const nodes = jsonBlockNodes(
      source,
      block.instances.map((b) => b.location),
      blockType,
    );
    if (typeof nodes === 'string') return nodes;
    // One property holds every block (as an object or a list of them): the attribute takes its place, in its style.
    const [only] = nodes;
    const key = only.children?.at(0);
    const current = only.children?.at(1);
    if (nodes.size === 1 && only.type === 'property' && only.parent === jsonObjectAt(source, r.location) && key && current) {
      const colon = source.text.slice(key.offset + key.length, current.offset);
      return [
        {
          file: source.path,
          start: only.offset,
          end: only.offset + only.length,
          text: `${JSON.stringify(name)}${colon}${JSON.stringify(value)}`,
        },
      ];
    }
  }
  return combine([insertResourceAttribute(r, name, value, sources), removeAllBlocks(r, blockType, sources)]);
}

/** `name = value` in one nested block: the literal replaced, or the argument added. A bool replaces a bool literal too. */
export function setBlockAttribute(
  b: BlockInstance,
  blockType: string,
  name: string,
  value: string | boolean,
  sources: ReadonlyMap<string, SourceFile>,
): EditsOrReason {
  const source = editable(b.location.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(b.location.line, b.location.column);
  const end = source.offset(b.location.endLine, b.location.endColumn);
  if (source.path.endsWith('.json')) return setJsonObjectProperty(source, b.location, name, value);
  const text = source.text.slice(start, end);
  if (!text.startsWith(`${blockType} `) && !text.startsWith(`${blockType}{`)) return 'the block comes from a dynamic block or a variable';
  const attr = new RegExp(`^([ \\t]*${name}[ \\t]*=[ \\t]*)(\\S[^\\r\\n]*?)[ \\t]*((#|\\/\\/)[^\\r\\n]*)?\\r?$`, 'm').exec(text);
  if (!attr) return insertAttribute(b.location, name, JSON.stringify(value), source);
  if (!LITERAL.test(attr[2]) && !(typeof value === 'boolean' && /^(true|false)$/.test(attr[2])))
    return `${name} is computed by an expression, not written as a literal`;
  const at = start + attr.index + attr[1].length;
  return [{ file: source.path, start: at, end: at + attr[2].length, text: JSON.stringify(value) }];
}

/** Removes a nested block (HCL) or its object (JSON: from its list, or the property that holds it). */
export function removeBlock(at: Range, blockType: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  if (source.path.endsWith('.json')) return removeJsonBlocks(source, [at], blockType);
  const text = source.text.slice(source.offset(at.line, at.column));
  if (!text.startsWith(`${blockType} `) && !text.startsWith(`${blockType}{`)) return 'the block comes from a dynamic block or a variable';
  let first = at.line;
  const last = at.endLine;
  // Take one blank line with it, so that no double blank line is left.
  if (
    first > 1 &&
    source.lineText(first - 1).trim() === '' &&
    (source.lineText(last + 1).trim() === '' || /^\s*}/.test(source.lineText(last + 1)))
  )
    first--;
  return [{ file: source.path, start: source.offset(first, 1), end: source.offset(last + 1, 1), text: '' }];
}

/**
 * Removes several nested blocks together. In JSON the range of one removal depends on
 * which neighbours go too (which comma it takes), so the blocks of one file are planned
 * as one set: each run of neighbouring elements is one edit, and a list that loses every
 * element goes with its property.
 */
export function removeBlocks(at: readonly Range[], blockType: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const parts: EditsOrReason[] = at.filter((a) => !a.file.endsWith('.json')).map((a) => removeBlock(a, blockType, sources));
  for (const file of new Set(at.filter((a) => a.file.endsWith('.json')).map((a) => a.file))) {
    const source = editable(file, sources);
    parts.push(
      typeof source === 'string'
        ? source
        : removeJsonBlocks(
            source,
            at.filter((a) => a.file === file),
            blockType,
          ),
    );
  }
  return combine(parts);
}

// Terraform JSON. Every edit is made on the syntax tree of the file as it was read (jsonc-parser), and takes
// its layout (separators, indentation, line breaks) from the text around it, so that compact, single-line,
// tab-indented and CRLF files stay as they are written; `"//"` comment properties are nodes like any other.

/** The syntax tree of each JSON source, parsed once (a source's text never changes). */
const jsonTrees = new WeakMap<SourceFile, JsonNode | undefined>();

function jsonTree(source: SourceFile): JsonNode | undefined {
  if (!jsonTrees.has(source)) jsonTrees.set(source, parseTree(source.text, [], { disallowComments: true }));
  return jsonTrees.get(source);
}

/** The JSON object that starts where a range starts: a resource's or a nested block's body. */
function jsonObjectAt(source: SourceFile, at: Range): JsonNode | undefined {
  const offset = source.offset(at.line, at.column);
  const root = jsonTree(source);
  for (let node = root && findNodeAtOffset(root, offset); node; node = node.parent)
    if (node.type === 'object' && node.offset === offset) return node;
  return undefined;
}

/** A property's name, if it is a property. */
const keyOf = (node: JsonNode | undefined): unknown => (node?.type === 'property' ? node.children?.[0]?.value : undefined);

/**
 * The nodes whose removal removes these blocks: each block's element of a `blockType` list,
 * or the `blockType` property holding it as an object; a list none of whose elements stays
 * is replaced by its property.
 */
function jsonBlockNodes(source: SourceFile, at: readonly Range[], blockType: string): Set<JsonNode> | string {
  const nodes = new Set<JsonNode>();
  for (const a of at) {
    const object = jsonObjectAt(source, a);
    const inList = object?.parent?.type === 'array';
    const holder = inList ? object.parent.parent : object?.parent;
    if (!object || !holder || keyOf(holder) !== blockType)
      return `the ${blockType} block is not written as an object or a list of objects in the JSON file`;
    nodes.add(inList ? object : holder);
  }
  for (const node of [...nodes]) {
    const list = node.parent;
    if (list?.type !== 'array' || !list.parent || !(list.children ?? []).every((c) => nodes.has(c))) continue;
    for (const c of list.children ?? []) nodes.delete(c);
    nodes.add(list.parent);
  }
  return nodes;
}

function removeJsonBlocks(source: SourceFile, at: readonly Range[], blockType: string): EditsOrReason {
  const nodes = jsonBlockNodes(source, at, blockType);
  return typeof nodes === 'string' ? nodes : removeJsonChildren(source, nodes);
}

/**
 * Removes array elements or object properties with their separating commas, leaving every other byte
 * as it is: each run of neighbours that go is one edit, from the end of the element before it (or, for a
 * run at the start, up to the element after it), so that no two edits overlap.
 */
function removeJsonChildren(source: SourceFile, gone: ReadonlySet<JsonNode>): Edit[] {
  const edits: Edit[] = [];
  const edit = (start: number, end: number) => edits.push({ file: source.path, start, end, text: '' });
  for (const parent of new Set([...gone].map((n) => n.parent))) {
    if (!parent) continue;
    const items = parent.children ?? [];
    if (items.every((c) => gone.has(c))) {
      edit(parent.offset + 1, parent.offset + parent.length - 1);
      continue;
    }
    for (let i = 0; i < items.length; i++) {
      if (!gone.has(items[i])) continue;
      let j = i;
      while (j + 1 < items.length && gone.has(items[j + 1])) j++;
      if (i > 0) edit(items[i - 1].offset + items[i - 1].length, items[j].offset + items[j].length);
      else edit(items[i].offset, items[j + 1].offset);
      i = j;
    }
  }
  return edits;
}

/** In an object of Terraform JSON: the property's value replaced, or the property added after the last one. */
function setJsonObjectProperty(source: SourceFile, at: Range, name: string, value: string | boolean): EditsOrReason {
  const object = jsonObjectAt(source, at);
  if (!object) return 'the object was not found in the JSON file';
  const current = object.children?.find((p) => keyOf(p) === name)?.children?.[1];
  if (!current) return insertJsonProperty(source, object, name, JSON.stringify(value));
  const bool = typeof value === 'boolean' && current.type === 'boolean';
  if (!bool && current.type !== 'null' && !(current.type === 'string' && !/\$\{|%\{/.test(String(current.value))))
    return `${name} is computed by an expression, not written as a literal`;
  return [{ file: source.path, start: current.offset, end: current.offset + current.length, text: JSON.stringify(value) }];
}

/**
 * `"name": value` added after an object's last property, written as the object writes its
 * properties: the separator before the last one (or after the brace), the text around its colon.
 */
function insertJsonProperty(source: SourceFile, object: JsonNode, name: string, value: string): Edit[] {
  const text = source.text;
  const items = object.children ?? [];
  const last = items.at(-1);
  const open = object.offset + 1;
  const close = object.offset + object.length - 1;
  if (!last) {
    const property = `${JSON.stringify(name)}${colonOf(source, jsonTree(source)) ?? ': '}${value}`;
    const inside = text.slice(open, close);
    if (!inside.includes('\n')) return [{ file: source.path, start: open, end: close, text: property }];
    const indent = leadingSpace(source.lineText(source.position(close).line));
    return [
      { file: source.path, start: open, end: close, text: `${source.eol}${indent}${indentUnit(source)}${property}${source.eol}${indent}` },
    ];
  }
  let separator: string;
  if (items.length > 1) {
    const before = items[items.length - 2];
    separator = text.slice(before.offset + before.length, last.offset);
  } else {
    const space = text.slice(open, last.offset);
    separator = ',' + (/\r?\n[^\n]*$/.exec(space)?.[0] ?? space);
  }
  const property = `${JSON.stringify(name)}${colonOf(source, last) ?? ': '}${value}`;
  const end = last.offset + last.length;
  return [{ file: source.path, start: end, end, text: `${separator}${property}` }];
}

/** The text between a property's name and its value (`: `, `:`): of `node`, or of the first property under it. */
function colonOf(source: SourceFile, node: JsonNode | undefined): string | undefined {
  if (!node) return undefined;
  const key = node.children?.at(0);
  const value = node.children?.at(1);
  if (node.type === 'property' && key && value) return source.text.slice(key.offset + key.length, value.offset);
  for (const child of node.children ?? []) {
    const colon = colonOf(source, child);
    if (colon !== undefined) return colon;
  }
  return undefined;
}

/** One level of the file's indentation: its first indented property's indent. */
function indentUnit(source: SourceFile): string {
  return /\n([ \t]+)"/.exec(source.text)?.[1] ?? '  ';
}
