import path from 'node:path';
import { findNodeAtOffset, getNodePath, modify, parseTree, type Edit as JsonEdit } from 'jsonc-parser';
import type { Range, SourceFile } from '../parse/source';
import type { Finding } from '../policy/findings';
import type { ResourceInstance } from '../terraform/resources';

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
export function planFixes(findings: Finding[], resources: ResourceInstance[], sources: ReadonlyMap<string, SourceFile>): FixPlan {
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
    const result = fixResource(resource, list, sources);
    if (typeof result === 'string') plan.manual.push(...list.map((finding) => ({ finding, reason: result })));
    else plan.edits.push(...result);
  }
  plan.edits = dedupe(plan.edits);
  return plan;
}

function fixResource(r: ResourceInstance, findings: Finding[], sources: ReadonlyMap<string, SourceFile>): Edit[] | string {
  const m = r.attributes.image_tag_mutability;
  // Filters a dynamic block makes (or may make) can only change with it, and image_tag_mutability with them.
  const made = r.blocks[FILTERS];
  if (made && (!made.known || made.instances.some((b) => b.dynamic))) return 'the exclusion filters come from a dynamic block or an expression: change them together with image_tag_mutability';
  // Written as null: the literal null is the origin to change.
  if (m && !m.set && m.location) return replaceWithImmutable(m.location, sources);
  if (!m || !m.set) return insertImmutable(r, sources);
  if (!m.known || typeof m.value !== 'string') return 'the value is not known before apply';
  if (!m.location) return 'the value comes from the environment or the command line';
  if (m.value === 'MUTABLE_WITH_EXCLUSION') {
    // Filters are only accepted with a *_WITH_EXCLUSION value: they go with it.
    const filters = r.blocks[FILTERS]?.instances ?? [];
    return combine([replaceWithImmutable(m.location, sources), ...filters.map((b) => removeBlock(b.location, sources))]);
  }
  if (m.value !== 'IMMUTABLE_WITH_EXCLUSION') return replaceWithImmutable(m.location, sources);
  const filters = r.blocks[FILTERS]?.instances ?? [];
  const refused = filters.filter((b) => findings.some((f) => sameStart(f, b.location)));
  const removals = refused.map((b) => removeBlock(b.location, sources));
  // With no allowed filter left, the value becomes IMMUTABLE.
  if (filters.length === 0 || refused.length === filters.length) return combine([replaceWithImmutable(m.location, sources), ...removals]);
  return combine(removals);
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
  const headerEnd = source.offset(r.location.line + 1, 1);
  const header = source.lineText(r.location.line);
  if (!header.trimEnd().endsWith('{') || r.location.endLine === r.location.line) return 'the block is written on one line';
  const indent = /^\s*/.exec(header)![0] + '  ';
  const group = attributeGroup(source, r.location.line + 1, indent);
  const lines = [`${indent}image_tag_mutability = "IMMUTABLE"`, ...group.lines];
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
  const list = element?.parent;
  if (!element || list?.type !== 'array') return 'the filter is not an element of a list';
  const items = list.children ?? [];
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
