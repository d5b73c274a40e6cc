import path from 'node:path';
import { parseTree, findNodeAtOffset } from 'jsonc-parser';
import type { Range, SourceFile } from '../parse/source';
import type { Attribute } from '../parse/syntax';
import { resourceKey, type Finding } from '../policy/findings';
import type { ResourceInstance } from '../terraform/instances/module-tree';
import type { Edit } from './edit';
import { ReaderIndex, remembered, type Configuration, type Reader } from './readers';

/** The edits a rule's fixer planned for one resource, from its open findings. */
export interface PlannedFix {
  resource: ResourceInstance;
  findings: Finding[];
  edits: Edit[];
}

/**
 * The narrowest safe edit (an origin shared by others is not changed for them).
 * An edit of an origin outside the resource's block is kept only when everything
 * that reads it is a resource being fixed, through the references the finding
 * traced; otherwise the reference in the resource's own attribute is replaced by the
 * value; otherwise the finding is left to a person, naming the other readers. An edit
 * inside a resource block (a module's, shared by its callers) is kept only when every
 * instance of that block is being fixed. Suppressed resources are never changed.
 * Returns each fix's edits, or the reason it is left to a person.
 */
export async function narrowFixes(
  planned: readonly PlannedFix[],
  resources: readonly ResourceInstance[],
  findings: readonly Finding[],
  sources: ReadonlyMap<string, SourceFile>,
  configuration: Configuration,
): Promise<Map<PlannedFix, Edit[] | string>> {
  const world = new World(resources, findings, sources, configuration);
  const results = new Map<PlannedFix, Edit[] | string>();
  let fixing = new Set(planned.map((p) => p.resource));
  // A fix left to a person no longer makes its resource compliant: the others are judged again without it.
  for (let round = 0; round < 10; round++) {
    world.newRound();
    for (const p of planned) results.set(p, await world.narrow(p, fixing, planned));
    const next = new Set(planned.filter((p) => typeof results.get(p) !== 'string').map((p) => p.resource));
    for (const p of planned) if (typeof results.get(p) === 'string') next.delete(p.resource);
    if (next.size === fixing.size) break;
    fixing = next;
  }
  return results;
}

class World {
  private readonly index: ReaderIndex;
  private readonly suppressed: Set<string>;
  /** The readers of a trace, by its steps and origin file. */
  private readonly readers = new Map<string, Promise<Reader[] | undefined>>();
  /** This round's verdict on an origin edit, for the resources being fixed (the same for each of them). */
  private problems = new Map<string, Promise<string | undefined>>();

  newRound(): void {
    this.problems = new Map();
  }

  constructor(
    private readonly resources: readonly ResourceInstance[],
    findings: readonly Finding[],
    private readonly sources: ReadonlyMap<string, SourceFile>,
    private readonly configuration: Configuration,
  ) {
    this.index = new ReaderIndex(configuration);
    this.suppressed = new Set(findings.filter((f) => f.suppression).map((f) => key(f.root, f.resource, f.variant)));
  }

  async narrow(p: PlannedFix, fixing: ReadonlySet<ResourceInstance>, planned: readonly PlannedFix[]): Promise<Edit[] | string> {
    const edits: Edit[] = [];
    const reasons: string[] = [];
    for (const e of p.edits) {
      const outside = this.outside(e.file);
      const owners = this.owners(e);
      if (owners.length) {
        if (outside) {
          reasons.push(outside);
          continue;
        }
        // A literal replaced where the value is written changes only the instances whose value comes from it (a
        // conditional or a map in a block with for_each); any other change of the block changes every instance.
        const literal = Object.values(p.resource.attributes).some((a) => a.location && this.same(a.location, e));
        const strangers = owners.filter(
          (r) =>
            r !== p.resource &&
            !this.fixes(r, fixing) &&
            (!literal || Object.values(r.attributes).some((a) => a.location && this.overlaps(a.location, e))),
        );
        if (strangers.length) reasons.push(`its block is shared with ${this.names(strangers)}, which this fix would change too`);
        else edits.push(e);
        continue;
      }
      const shared = this.fixes(p.resource, fixing) ? `${e.file}\u0000${e.start}\u0000${e.end}\u0000${e.text}` : undefined;
      const verdict = () => this.originProblem(p, e, fixing, planned);
      const problem = outside ?? (await (shared === undefined ? verdict() : remembered(this.problems, shared, verdict)));
      if (!problem) {
        edits.push(e);
        continue;
      }
      const own = this.ownAttributeEdit(p, e);
      const ownOutside = own && this.outside(own.edit.file);
      if (!own || ownOutside) {
        reasons.push(ownOutside ? `${problem}; ${ownOutside}` : problem);
        continue;
      }
      const value: unknown = JSON.parse(own.text);
      const strangers = this.owners(own.edit).filter((r) => r !== p.resource && !this.fixes(r, fixing) && !own.holds(r, value));
      if (strangers.length) reasons.push(`${problem}, and its own block is shared with ${this.names(strangers)}`);
      else edits.push(own.edit);
    }
    // The block shared with the same resources is said once.
    const said = [...new Set(reasons)].filter((r, _, all) => {
      const shared = /^its block is shared with (.*), which this fix would change too$/.exec(r)?.[1];
      return shared === undefined || !all.some((o) => o !== r && o.includes(`shared with ${shared}`));
    });
    return said.length ? `${said.join('; ')}: change it by hand` : edits;
  }

  /**
   * Why a file may not be edited in this run: it lies outside what was scanned (`fix envs/dev` and a module in
   * modules/), where callers that were not read may share it.
   */
  private outside(file: string): string | undefined {
    if (this.configuration.inScope(file)) return undefined;
    return `${file} is outside the scanned paths, and code that was not scanned may read it (run tagguard fix on the whole repository)`;
  }

  /** A resource this run makes compliant (never a suppressed one). */
  private fixes(r: ResourceInstance, fixing: ReadonlySet<ResourceInstance>): boolean {
    return fixing.has(r) && !this.suppressed.has(key(r.root, r.address, r.variant));
  }

  /** Why the origin an edit changes may not be changed, or undefined when only resources being fixed read it. */
  private async originProblem(
    p: PlannedFix,
    e: Edit,
    fixing: ReadonlySet<ResourceInstance>,
    planned: readonly PlannedFix[],
  ): Promise<string | undefined> {
    // The findings whose value comes from this origin, and the resources being fixed that they are on.
    const mine = planned
      .filter((q) => q === p || this.fixes(q.resource, fixing))
      .flatMap((q) => q.findings.filter((f) => this.inside(f, e)));
    const onMine = new Set(mine.map((f) => key(f.root, f.resource, f.variant)));
    // Resources of judged types whose attributes come from the origin.
    const strangers = this.resources.filter(
      (r) =>
        !onMine.has(key(r.root, r.address, r.variant)) &&
        Object.values(r.attributes).some((a) => a.location && this.overlaps(a.location, e)),
    );
    const others: string[] = strangers.length ? [this.names(strangers)] : [];
    // Everything else that reads a name the value passed through (an output, a parameter, another attribute).
    const traced = new Set(mine.flatMap((f) => f.trace.map((t) => `${t.file}:${t.line}:${t.column}`)));
    for (const f of mine) {
      const key = `${e.file}\u0000${f.trace.map((t) => `${t.file}:${t.note}`).join('\u0000')}`;
      const readers = await remembered(this.readers, key, () => this.index.readersOf(f.trace, e.file));
      if (!readers) return `${this.where(e)} reaches ${f.resource} through a reference whose other readers tagguard cannot list`;
      // A for_each or count that reads the value decides which instances exist: changing it may rename or remove them.
      for (const r of readers)
        if (r.meta || !traced.has(`${r.file}:${r.line}:${r.column}`))
          others.push(`${r.holder}${r.meta ? ` ${r.meta}` : ''} (${r.file}:${r.line})`);
    }
    if (others.length === 0) return undefined;
    const unique = [...new Set(others)];
    const shown = unique.length > 5 ? [...unique.slice(0, 5), `${unique.length - 5} more`] : unique;
    return `${this.where(e)} is also read by ${shown.join(', ')}`;
  }

  /**
   * The edit that writes the new value in place of the reference in the resource's own
   * attribute (or a field of a nested block written in it, HCL), when the edit changes that
   * attribute's origin (a literal replaced). `holds` says whether another instance of the
   * block already has the value there.
   */
  private ownAttributeEdit(
    p: PlannedFix,
    e: Edit,
  ): { edit: Edit; text: string; holds: (r: ResourceInstance, value: unknown) => boolean } | undefined {
    const r = p.resource;
    const module = this.configuration.modules.get(path.dirname(path.resolve(this.configuration.cwd, r.location.file)));
    const block = module?.resources.find(
      (b) => b.block.range.file === r.location.file && b.block.range.line === r.location.line && b.block.range.column === r.location.column,
    );
    const source = this.sources.get(r.location.file);
    if (!block || !source) return undefined;
    // The attribute the finding is on: the one whose expression holds the first step of its trace (where the value is used).
    // When no finding is on the origin (a filter's finding made the value change), the one attribute that reads it.
    const uses = p.findings.filter((f) => this.inside(f, e)).flatMap((f) => f.trace.slice(0, 1));
    const candidates: { attr: Attribute; holds: (o: ResourceInstance, value: unknown) => boolean }[] = [
      ...block.block.body.attributes,
    ].flatMap(([name, attr]) => {
      const a = Object.hasOwn(r.attributes, name) ? r.attributes[name] : undefined;
      return a?.location !== undefined && this.same(a.location, e) ? [{ attr, holds: (o, v) => sameValue(o, name, v) }] : [];
    });
    // A field of a nested block written in the resource (not made by a dynamic block): the instance whose location is the block's.
    for (const nested of block.block.body.blocks) {
      const value = Object.hasOwn(r.blocks, nested.type) ? r.blocks[nested.type] : undefined;
      const instance = value?.instances.find((i) => !i.dynamic && sameRange(i.location, nested.range));
      for (const [name, attr] of instance ? nested.body.attributes : []) {
        const origin = instance?.origins?.[name];
        if (origin && this.same(origin.location, e)) candidates.push({ attr, holds: (o, v) => sameField(o, nested.type, name, v) });
      }
    }
    const chosen = uses.length
      ? candidates.filter(({ attr }) => uses.some((u) => u.file === attr.expr.range.file && contains(attr.expr.range, u.line, u.column)))
      : candidates;
    const entry = chosen.length === 1 ? chosen[0] : undefined;
    if (!entry) return undefined;
    const { attr, holds } = entry;
    let start = source.offset(attr.expr.range.line, attr.expr.range.column);
    let end = source.offset(attr.expr.range.endLine, attr.expr.range.endColumn);
    if (source.path.endsWith('.json')) {
      // The whole JSON string that holds the template.
      const tree = parseTree(source.text);
      const node = tree && findNodeAtOffset(tree, start + 1);
      if (node?.type !== 'string') return undefined;
      [start, end] = [node.offset, node.offset + node.length];
    }
    return { edit: { file: source.path, start, end, text: e.text }, text: e.text, holds };
  }

  /** The instances of the resource blocks that hold the edit. */
  private owners(e: Edit): ResourceInstance[] {
    return this.resources.filter((r) => {
      if (r.location.file !== e.file || r.syntax === 'plan') return false;
      const range = this.offsets(r.location);
      return range !== undefined && range[0] <= e.start && e.end <= range[1];
    });
  }

  private inside(f: Finding, e: Edit): boolean {
    if (f.file !== e.file) return false;
    const source = this.sources.get(f.file);
    if (!source) return false;
    const at = source.offset(f.line, f.column);
    return e.start <= at && at < Math.max(e.end, e.start + 1);
  }

  private overlaps(range: Range, e: Edit): boolean {
    const r = range.file === e.file ? this.offsets(range) : undefined;
    return r !== undefined && r[0] < Math.max(e.end, e.start + 1) && e.start < Math.max(r[1], r[0] + 1);
  }

  private same(range: Range, e: Edit): boolean {
    const r = range.file === e.file ? this.offsets(range) : undefined;
    return r !== undefined && r[0] === e.start && r[1] === e.end;
  }

  private offsets(range: Range): [number, number] | undefined {
    const source = this.sources.get(range.file);
    return source && [source.offset(range.line, range.column), source.offset(range.endLine, range.endColumn)];
  }

  private where(e: Edit): string {
    const source = this.sources.get(e.file);
    const at = source?.position(e.start);
    return at ? `${e.file}:${at.line}:${at.column}` : e.file;
  }

  private names(list: readonly ResourceInstance[]): string {
    const names = [
      ...new Set(
        list.map(
          (r) =>
            `${r.address}${r.root === '.' ? '' : ` in ${r.root}`}${this.suppressed.has(key(r.root, r.address, r.variant)) ? ' (suppressed)' : ''}`,
        ),
      ),
    ];
    return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  }
}

function key(root: string, address: string, variant: string | undefined): string {
  return `${resourceKey(root, address)}\u0000${variant ?? ''}`;
}

/** The instance's attribute already holds the value the edit writes. */
function sameValue(r: ResourceInstance, attribute: string, value: unknown): boolean {
  const a = Object.hasOwn(r.attributes, attribute) ? r.attributes[attribute] : undefined;
  return a?.known === true && a.set && a.value === value;
}

/** Every instance of the resource's nested block already holds the value in the field. */
function sameField(r: ResourceInstance, blockType: string, field: string, value: unknown): boolean {
  const b = Object.hasOwn(r.blocks, blockType) ? r.blocks[blockType] : undefined;
  return b?.known === true && b.instances.length > 0 && b.instances.every((i) => i.known && i.fields[field] === value);
}

function sameRange(a: Range, b: Range): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn;
}

function contains(range: Range, line: number, column: number): boolean {
  const after = line > range.line || (line === range.line && column >= range.column);
  const before = line < range.endLine || (line === range.endLine && column <= range.endColumn);
  return after && before;
}
