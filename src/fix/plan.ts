import path from 'node:path';
import { findNodeAtLocation, findNodeAtOffset, getNodePath, modify, parseTree, type Edit as JsonEdit, type Node as JsonNode } from 'jsonc-parser';
import { isOverrideFile } from '../terraform/config/override';
import type { Range, SourceFile } from '../parse/source';
import type { Finding } from '../policy/findings';
import type { BlockInstance, ResourceInstance } from '../terraform/instances/module-tree';
import { allowedFilter, filterText, filterValueProblem, MAX_FILTERS, validFilterType } from './exclusion-filters';

/** A replacement of the text between two offsets of a file. */
export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface FixPlan {
  edits: Edit[];
  /** Findings no edit can fix: unknown or computed values, code outside the scanned tree. */
  manual: Array<{ finding: Finding; reason: string }>;
}

const RULE = 'ecr-tag-immutability';
const FILTERS = 'image_tag_mutability_exclusion_filter';

/**
 * The edits that make the next scan clean: each edit changes the origin of a value
 * (where a literal is written), never a copy of it. Whatever cannot be changed
 * safely is left to a person, with the reason.
 */
export function planFixes(findings: Finding[], resources: ResourceInstance[], sources: ReadonlyMap<string, SourceFile>, allowedMutableTags: readonly string[] = ['latest']): FixPlan {
  const plan: FixPlan = { edits: [], manual: [] };
  const open = findings.filter((f) => f.ruleId === RULE && f.severity === 'error' && !f.suppression);
  const byResource = new Map(resources.map((r) => [`${r.root}\u0000${r.address}`, r]));
  const groups = new Map<ResourceInstance, Finding[]>();
  for (const f of open) {
    const r = byResource.get(`${f.root}\u0000${f.resource}`);
    if (!r) continue;
    groups.set(r, [...(groups.get(r) ?? []), f]);
  }
  for (const [resource, list] of groups) {
    const result = fixResource(resource, list, sources, allowedMutableTags);
    if (typeof result === 'string') plan.manual.push(...list.map((finding) => ({ finding, reason: result })));
    else plan.edits.push(...result);
  }
  plan.edits = dedupe(plan.edits);
  return plan;
}

function fixResource(r: ResourceInstance, findings: Finding[], sources: ReadonlyMap<string, SourceFile>, allowed: readonly string[]): Edit[] | string {
  const m = r.attributes.image_tag_mutability;
  // Filters a dynamic block makes (or may make) can only change with it, and image_tag_mutability with them.
  const made = r.blocks[FILTERS];
  // An override's filter blocks replace the original's: removing them would bring the original's back.
  if (made?.instances.some((b) => isOverrideFile(b.location.file))) return 'the exclusion filters are set in an override file, which replaces the original blocks: change both by hand';
  if (made && (!made.known || made.instances.some((b) => b.dynamic))) return 'the exclusion filters come from a dynamic block or an expression: change them together with image_tag_mutability';
  // IMMUTABLE takes no exclusion filter (the provider's CustomizeDiff fails the plan):
  // wherever the value becomes or stays IMMUTABLE, the filters go with it.
  // A value written as null: the literal null is the origin to change.
  if (m && !m.set && m.location) return combine([replaceWithImmutable(m.location, sources), removeAllFilters(r, sources)]);
  if (!m || !m.set) return r.blocks[FILTERS]?.instances.length ? replaceFiltersWithImmutable(r, sources) : insertImmutable(r, sources);
  if (!m.known || typeof m.value !== 'string') return 'the value is not known before apply';
  if (!m.location) return 'the value comes from the environment or the command line';
  if (m.value === 'IMMUTABLE') return removeAllFilters(r, sources);
  if (m.value !== 'IMMUTABLE_WITH_EXCLUSION') return combine([replaceWithImmutable(m.location, sources), removeAllFilters(r, sources)]);
  return fixExclusionFilters(r, m.location, findings, sources, allowed);
}

/**
 * IMMUTABLE_WITH_EXCLUSION: a filter the allow-list refuses is removed; an allowed filter
 * whose filter_type is missing or wrong gets WILDCARD; a filter value the provider
 * rejects, or more than 5 filters, is left to a person (which tag was meant, which
 * filters to keep). With no filter left, the value becomes IMMUTABLE.
 */
function fixExclusionFilters(r: ResourceInstance, value: Range, findings: Finding[], sources: ReadonlyMap<string, SourceFile>, allowed: readonly string[]): Edit[] | string {
  const block = r.blocks[FILTERS];
  if (block && !block.known) return 'the exclusion filters come from a dynamic block whose for_each is not known';
  const filters = block?.instances ?? [];
  if (filters.length > MAX_FILTERS) return `${filters.length} exclusion filters, and the provider accepts at most ${MAX_FILTERS}: choose the ones to keep`;
  const parts: Array<Edit[] | string> = [];
  let kept = 0;
  for (const b of filters) {
    if (!b.known) {
      kept++;
      continue;
    }
    const text = filterText(b.fields.filter);
    const problem = filterValueProblem(b.fields.filter);
    if (problem || text === undefined) return `${text === undefined ? 'an exclusion filter' : `exclusion filter ${JSON.stringify(text)}`} is not valid (${problem}): correct it or remove it`;
    // The policy judges a valid filter against the allow-list and reports it where it is written.
    const refused = validFilterType(b.fields.filter_type) ? findings.some((f) => sameStart(f, b.location)) : !allowedFilter(text, allowed);
    if (refused) parts.push(removeBlock(b.location, sources));
    else {
      kept++;
      if (!validFilterType(b.fields.filter_type)) parts.push(setFilterType(b, sources));
    }
  }
  if (kept === 0) parts.push(replaceWithImmutable(value, sources));
  return combine(parts);
}

/** Removes every exclusion filter of a resource: each block (HCL), or the whole property (JSON). */
function removeAllFilters(r: ResourceInstance, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const block = r.blocks[FILTERS];
  if (!block) return [];
  if (!block.known) return 'the exclusion filters come from a dynamic block whose for_each is not known';
  if (block.instances.length === 0) return [];
  const property = filtersProperty(r, sources);
  if (property) return typeof property === 'string' ? property : removeJsonChild(property.source, property.node);
  return combine(block.instances.map((b) => removeBlock(b.location, sources)));
}

/** No value and exclusion filters: the filters go and the value comes (in JSON, one property takes the other's place). */
function replaceFiltersWithImmutable(r: ResourceInstance, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const property = filtersProperty(r, sources);
  if (!property) return combine([insertImmutable(r, sources), removeAllFilters(r, sources)]);
  if (typeof property === 'string') return property;
  const { source, node } = property;
  return [{ file: source.path, start: node.offset, end: node.offset + node.length, text: '"image_tag_mutability": "IMMUTABLE"' }];
}

/** The exclusion filter property of a resource written in Terraform JSON; undefined for HCL. */
function filtersProperty(r: ResourceInstance, sources: ReadonlyMap<string, SourceFile>): { source: SourceFile; node: JsonNode } | string | undefined {
  const block = r.blocks[FILTERS];
  if (!r.location.file.endsWith('.json') || !block?.instances.every((b) => b.location.file === r.location.file)) return undefined;
  const source = editable(r.location.file, sources);
  if (typeof source === 'string') return source;
  const path = jsonPathOf(source, source.offset(r.location.line, r.location.column));
  const value = path && findNodeAtLocation(parseTree(source.text)!, [...path, FILTERS]);
  if (!value?.parent || value.parent.type !== 'property') return 'the exclusion filters were not found in the JSON file';
  return { source, node: value.parent };
}

/** filter_type = "WILDCARD" in one filter: the literal replaced, or the argument added. */
function setFilterType(b: BlockInstance, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const source = editable(b.location.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(b.location.line, b.location.column);
  const end = source.offset(b.location.endLine, b.location.endColumn);
  if (source.path.endsWith('.json')) return setJsonFilterType(source, start);
  const text = source.text.slice(start, end);
  if (!text.startsWith(`${FILTERS} `) && !text.startsWith(`${FILTERS}{`)) return 'the filter comes from a dynamic block or a variable';
  const attr = /^([ \t]*filter_type[ \t]*=[ \t]*)(\S[^\r\n]*?)[ \t]*((#|\/\/)[^\r\n]*)?\r?$/m.exec(text);
  if (!attr) return insertAttribute(b.location, 'filter_type', '"WILDCARD"', source);
  if (!/^("[^"\\$%]*"|null)$/.test(attr[2]!)) return 'filter_type is computed by an expression, not written as a literal';
  const at = start + attr.index + attr[1]!.length;
  return [{ file: source.path, start: at, end: at + attr[2]!.length, text: '"WILDCARD"' }];
}

/** In a filter object of Terraform JSON: the filter_type value replaced, or the property added after the last one. */
function setJsonFilterType(source: SourceFile, offset: number): Edit[] | string {
  const root = parseTree(source.text);
  const node = root && findNodeAtOffset(root, offset + 1);
  const object = node?.type === 'object' ? node : node?.parent;
  if (object?.type !== 'object') return 'the filter object was not found in the JSON file';
  const current = object.children?.find((p) => p.children?.[0]?.value === 'filter_type')?.children?.[1];
  if (current) {
    if (current.type !== 'null' && !(current.type === 'string' && !/\$\{|%\{/.test(String(current.value)))) return 'filter_type is computed by an expression, not written as a literal';
    return [{ file: source.path, start: current.offset, end: current.offset + current.length, text: '"WILDCARD"' }];
  }
  const last = object.children?.at(-1);
  if (!last) return 'the filter object is empty';
  const at = last.offset + last.length;
  const lastLine = source.position(last.offset).line;
  const separator = source.position(object.offset).line === lastLine ? ', ' : `,${source.eol}${/^\s*/.exec(source.lineText(lastLine))![0]}`;
  return [{ file: source.path, start: at, end: at, text: `${separator}"filter_type": "WILDCARD"` }];
}

/** All the edits, or the first reason one of them cannot be made. */
function combine(parts: Array<Edit[] | string>): Edit[] | string {
  const failed = parts.find((p): p is string => typeof p === 'string');
  return failed ?? (parts as Edit[][]).flat();
}

function sameStart(f: Finding, r: Range): boolean {
  return f.file === r.file && f.line === r.line && f.column === r.column;
}

function editable(file: string, sources: ReadonlyMap<string, SourceFile>): SourceFile | string {
  if (file.startsWith('(model)') || /(^|\/)\.terraform\//.test(file)) return 'the value is written in a registry module, not in the scanned code';
  if (file.startsWith('../') || path.isAbsolute(file)) return 'the file is outside the working directory';
  return sources.get(file) ?? 'the file is outside the scanned tree';
}

/** A string literal becomes "IMMUTABLE" where it is written. */
function replaceWithImmutable(at: Range, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  const start = source.offset(at.line, at.column);
  const end = source.offset(at.endLine, at.endColumn);
  if (!/^("[^"\\$%]*"|null)$/.test(source.text.slice(start, end))) return 'the value is computed by an expression, not written as a literal';
  return [{ file: at.file, start, end, text: '"IMMUTABLE"' }];
}

/** Adds the attribute to a block that lacks it. */
function insertImmutable(r: ResourceInstance, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const source = editable(r.location.file, sources);
  if (typeof source === 'string') return source;
  if (source.path.endsWith('.json')) return insertJson(r, source);
  return insertAttribute(r.location, 'image_tag_mutability', '"IMMUTABLE"', source);
}

/** A first line `name = text` in an HCL block, aligned with the attribute group it joins. */
function insertAttribute(block: Range, name: string, text: string, source: SourceFile): Edit[] | string {
  const headerEnd = source.offset(block.line + 1, 1);
  const header = source.lineText(block.line);
  if (!header.trimEnd().endsWith('{') || block.endLine === block.line) return 'the block is written on one line';
  const indent = /^\s*/.exec(header)![0] + '  ';
  const group = attributeGroup(source, block.line + 1, indent);
  const lines = [`${indent}${name} = ${text}`, ...group.lines];
  const width = Math.max(...lines.map((l) => /^\s*([\w-]+)/.exec(l)![1]!.length));
  const aligned = lines.map((l) => {
    const [, key, rest] = /^\s*([\w-]+)\s*=(.*)$/.exec(l)!;
    return `${indent}${key!.padEnd(width)} =${rest}`;
  });
  return [{ file: source.path, start: headerEnd, end: group.end, text: aligned.map((l) => l + source.eol).join('') }];
}

/** The attribute lines that terraform fmt aligns with a line inserted at `line`: consecutive, same indent, one line each. */
function attributeGroup(source: SourceFile, line: number, indent: string): { lines: string[]; end: number } {
  const lines: string[] = [];
  let l = line;
  for (;; l++) {
    const text = source.lineText(l);
    const m = /^(\s*)[\w-]+\s*=\s*(.*)$/.exec(text);
    if (!m || m[1] !== indent || /[{[(]\s*$/.test(m[2]!) || /<</.test(m[2]!)) break;
    lines.push(text);
  }
  return { lines, end: source.offset(l, 1) };
}

function insertJson(r: ResourceInstance, source: SourceFile): Edit[] | string {
  const path = jsonPathOf(source, source.offset(r.location.line, r.location.column));
  if (!path) return 'the resource object was not found in the JSON file';
  return fromJsonEdits(source, modify(source.text, [...path, 'image_tag_mutability'], 'IMMUTABLE', { formattingOptions: jsonFormatting(source) }));
}

/** Removes a nested block (HCL) or its object from the list (JSON). */
function removeBlock(at: Range, sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const source = editable(at.file, sources);
  if (typeof source === 'string') return source;
  if (source.path.endsWith('.json')) return removeJsonElement(source, source.offset(at.line, at.column));
  const text = source.text.slice(source.offset(at.line, at.column));
  if (!text.startsWith(`${FILTERS} `) && !text.startsWith(`${FILTERS}{`)) return 'the filter comes from a dynamic block or a variable';
  let first = at.line;
  const last = at.endLine;
  // Take one blank line with it, so that no double blank line is left.
  if (first > 1 && source.lineText(first - 1).trim() === '' && (source.lineText(last + 1).trim() === '' || /^\s*}/.test(source.lineText(last + 1)))) first--;
  return [{ file: source.path, start: source.offset(first, 1), end: source.offset(last + 1, 1), text: '' }];
}

/** Removes one element of a JSON array with its separating comma, leaving every other byte as it is. */
function removeJsonElement(source: SourceFile, offset: number): Edit[] | string {
  const root = parseTree(source.text);
  const node = root && findNodeAtOffset(root, offset + 1);
  const element = node?.type === 'object' ? node : node?.parent;
  if (!element || element.parent?.type !== 'array') return 'the filter is not an element of a list';
  return removeJsonChild(source, element);
}

/** Removes an array element or an object property with its separating comma, leaving every other byte as it is. */
function removeJsonChild(source: SourceFile, element: JsonNode): Edit[] {
  const items = element.parent?.children ?? [];
  const i = items.indexOf(element);
  const before = items[i - 1];
  const after = items[i + 1];
  const [start, end] = before ? [before.offset + before.length, element.offset + element.length] : after ? [element.offset, after.offset] : [element.offset, element.offset + element.length];
  return [{ file: source.path, start, end, text: '' }];
}

function jsonPathOf(source: SourceFile, offset: number): Array<string | number> | undefined {
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

function fromJsonEdits(source: SourceFile, edits: JsonEdit[]): Edit[] {
  return edits.map((e) => ({ file: source.path, start: e.offset, end: e.offset + e.length, text: e.content }));
}

function dedupe(edits: Edit[]): Edit[] {
  const seen = new Map<string, Edit>();
  for (const e of edits) seen.set(`${e.file}\u0000${e.start}\u0000${e.end}\u0000${e.text}`, e);
  return [...seen.values()];
}
