import type { Finding } from '../policy/findings';

/** Findings that are one finding reached from several root modules, in report order. */
export interface FindingGroup {
  /** The first finding of the group (its fields, but for the root and the trace, are those of all). */
  finding: Finding;
  /** The findings of the group, one per root, in report order. */
  members: Finding[];
  /** The roots, sorted and without repeats. */
  roots: string[];
  /** The trace steps of all members, each once, in order of first appearance. */
  trace: Finding['trace'];
}

/**
 * Groups the findings that differ only by root module: the same rule, message,
 * file, position, resource address, severity, construct and suppression, as when
 * a module called by two roots sets the same literal. Each group keeps its first
 * finding's place in the order.
 */
export function groupByRoot(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const key = JSON.stringify([
      f.ruleId,
      f.messageId ?? null,
      f.message,
      f.file,
      f.line,
      f.column,
      f.endLine,
      f.endColumn,
      f.resource,
      f.severity,
      f.stack ?? null,
      f.constructPath ?? null,
      f.suppression ?? null,
      // Each variant is a judgement of its own: never merged.
      f.variant ?? null,
    ]);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { finding: f, members: [f], roots: [f.root], trace: [...f.trace] });
      continue;
    }
    group.members.push(f);
    if (!group.roots.includes(f.root)) group.roots.push(f.root);
    for (const t of f.trace)
      if (!group.trace.some((s) => s.file === t.file && s.line === t.line && s.column === t.column && s.note === t.note))
        group.trace.push(t);
  }
  const all = [...groups.values()];
  for (const g of all) g.roots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return all;
}
