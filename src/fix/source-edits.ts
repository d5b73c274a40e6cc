import path from 'node:path';
import {
  findNodeAtLocation,
  findNodeAtOffset,
  getNodePath,
  modify,
  parseTree,
  type Edit as JsonEdit,
  type Node as JsonNode,
} from 'jsonc-parser';
import type { Range, SourceFile } from '../parse/source';
import type { BlockInstance, BlockValue, ResourceInstance } from '../terraform/instances/module-tree';
import { combine, type EditsOrReason } from './edit';

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
    const path = jsonPathOf(source, source.offset(r.location.line, r.location.column));
    if (!path) return 'the resource object was not found in the JSON file';
    return fromJsonEdits(source, modify(source.text, [...path, name], value, { formattingOptions: jsonFormatting(source) }));
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

/** Removes every `blockType` block of a resource: each block (HCL), or the whole property (JSON). */
export function removeAllBlocks(r: ResourceInstance, blockType: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const block = blocksOf(r, blockType);
  if (!block) return [];
  if (!block.known) return `the ${blockType} blocks come from a dynamic block whose for_each is not known`;
  if (block.instances.length === 0) return [];
  const property = blocksProperty(r, blockType, sources);
  if (property) return typeof property === 'string' ? property : removeJsonChild(property.source, property.node);
  return combine(block.instances.map((b) => removeBlock(b.location, blockType, sources)));
}

/** The `blockType` blocks go and `"name": value` comes (in JSON, one property takes the other's place). */
export function replaceBlocksWithAttribute(
  r: ResourceInstance,
  blockType: string,
  name: string,
  value: string,
  sources: ReadonlyMap<string, SourceFile>,
): EditsOrReason {
  const property = blocksProperty(r, blockType, sources);
  if (!property) return combine([insertResourceAttribute(r, name, value, sources), removeAllBlocks(r, blockType, sources)]);
  if (typeof property === 'string') return property;
  const { source, node } = property;
  return [
    { file: source.path, start: node.offset, end: node.offset + node.length, text: `${JSON.stringify(name)}: ${JSON.stringify(value)}` },
  ];
}

/** The property that holds a resource's `blockType` blocks in Terraform JSON; undefined for HCL. */
function blocksProperty(
  r: ResourceInstance,
  blockType: string,
  sources: ReadonlyMap<string, SourceFile>,
): { source: SourceFile; node: JsonNode } | string | undefined {
  const block = blocksOf(r, blockType);
  if (!r.location.file.endsWith('.json') || !block?.instances.every((b) => b.location.file === r.location.file)) return undefined;
  const source = editable(r.location.file, sources);
  if (typeof source === 'string') return source;
  const path = jsonPathOf(source, source.offset(r.location.line, r.location.column));
  const tree = path ? parseTree(source.text) : undefined;
  const value = path && tree ? findNodeAtLocation(tree, [...path, blockType]) : undefined;
  if (value?.parent?.type !== 'property') return `the ${blockType} blocks were not found in the JSON file`;
  return { source, node: value.parent };
}

/** `name = value` in one nested block: the literal replaced, or the argument added. */
export function setBlockAttribute(
  b: BlockInstance,
  blockType: string,
  name: string,
  value: string,
  sources: ReadonlyMap<string, SourceFile>,
): EditsOrReason {
  const source = editable(b.location.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(b.location.line, b.location.column);
  const end = source.offset(b.location.endLine, b.location.endColumn);
  if (source.path.endsWith('.json')) return setJsonObjectProperty(source, start, name, value);
  const text = source.text.slice(start, end);
  if (!text.startsWith(`${blockType} `) && !text.startsWith(`${blockType}{`)) return 'the block comes from a dynamic block or a variable';
  const attr = new RegExp(`^([ \\t]*${name}[ \\t]*=[ \\t]*)(\\S[^\\r\\n]*?)[ \\t]*((#|\\/\\/)[^\\r\\n]*)?\\r?$`, 'm').exec(text);
  if (!attr) return insertAttribute(b.location, name, JSON.stringify(value), source);
  if (!LITERAL.test(attr[2])) return `${name} is computed by an expression, not written as a literal`;
  const at = start + attr.index + attr[1].length;
  return [{ file: source.path, start: at, end: at + attr[2].length, text: JSON.stringify(value) }];
}

/** In an object of Terraform JSON: the property's value replaced, or the property added after the last one. */
function setJsonObjectProperty(source: SourceFile, offset: number, name: string, value: string): EditsOrReason {
  const root = parseTree(source.text);
  const node = root && findNodeAtOffset(root, offset + 1);
  const object = node?.type === 'object' ? node : node?.parent;
  if (object?.type !== 'object') return 'the object was not found in the JSON file';
  const current = object.children?.find((p) => p.children?.[0]?.value === name)?.children?.[1];
  if (current) {
    if (current.type !== 'null' && !(current.type === 'string' && !/\$\{|%\{/.test(String(current.value))))
      return `${name} is computed by an expression, not written as a literal`;
    return [{ file: source.path, start: current.offset, end: current.offset + current.length, text: JSON.stringify(value) }];
  }
  const last = object.children?.at(-1);
  if (!last) return 'the object is empty';
  const at = last.offset + last.length;
  const lastLine = source.position(last.offset).line;
  const separator = source.position(object.offset).line === lastLine ? ', ' : `,${source.eol}${leadingSpace(source.lineText(lastLine))}`;
  return [{ file: source.path, start: at, end: at, text: `${separator}${JSON.stringify(name)}: ${JSON.stringify(value)}` }];
}

/** Removes a nested block (HCL) or its object from the list (JSON). */
export function removeBlock(at: Range, blockType: string, sources: ReadonlyMap<string, SourceFile>): EditsOrReason {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  if (source.path.endsWith('.json')) return removeJsonElement(source, source.offset(at.line, at.column));
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

/** Removes one element of a JSON array with its separating comma, leaving every other byte as it is. */
function removeJsonElement(source: SourceFile, offset: number): EditsOrReason {
  const root = parseTree(source.text);
  const node = root && findNodeAtOffset(root, offset + 1);
  const element = node?.type === 'object' ? node : node?.parent;
  if (!element || element.parent?.type !== 'array') return 'the block is not an element of a list';
  return removeJsonChild(source, element);
}

/** Removes an array element or an object property with its separating comma, leaving every other byte as it is. */
function removeJsonChild(source: SourceFile, element: JsonNode): EditsOrReason {
  const items = element.parent?.children ?? [];
  const i = items.indexOf(element);
  // The first element has no element before it, the last none after it.
  const before = i > 0 ? items[i - 1] : undefined;
  const after = items.at(i + 1);
  const [start, end] = before
    ? [before.offset + before.length, element.offset + element.length]
    : after
      ? [element.offset, after.offset]
      : [element.offset, element.offset + element.length];
  return [{ file: source.path, start, end, text: '' }];
}

function jsonPathOf(source: SourceFile, offset: number): (string | number)[] | undefined {
  const root = parseTree(source.text);
  const node = root && findNodeAtOffset(root, offset + 1);
  if (!node) return undefined;
  const objectNode = node.type === 'object' ? node : node.parent?.type === 'object' ? node.parent : node;
  return getNodePath(objectNode);
}

function jsonFormatting(source: SourceFile) {
  const indent = /\n([ \t]+)"/.exec(source.text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: source.eol };
}

function fromJsonEdits(source: SourceFile, edits: JsonEdit[]): EditsOrReason {
  return edits.map((e) => ({ file: source.path, start: e.offset, end: e.offset + e.length, text: e.content }));
}
