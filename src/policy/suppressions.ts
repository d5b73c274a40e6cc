import type { Comment } from '../parse/syntax';
import type { ResourceInstance } from '../terraform/instances/module-tree';
import type { RuleDescriptor } from './engine';
import { resourceKey, type Finding } from './findings';

export interface Suppression {
  /** Whose comment syntax: tagguard, or the tool a user migrates from. */
  source: 'tagguard' | 'checkov' | 'trivy' | 'tfsec' | 'kics';
  reason?: string;
  /** YYYY-MM-DD after which the comment no longer suppresses. */
  until?: string;
  file: string;
  line: number;
}

interface Directive extends Suppression {
  /** Rule ids or aliases; empty means every rule. */
  rules: string[];
  /** Where it must stand: above/on the resource, or anywhere inside it (checkov). */
  placement: 'above' | 'inside';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The suppression directives a comment holds, in any of the syntaxes tagguard honours. */
export function directives(comment: Comment, file: string): Directive[] {
  const text = comment.text
    .replace(/^(#|\/\/|\/\*)\s*/, '')
    .replace(/\*\/$/, '')
    .trim();
  const at = { file, line: comment.line };
  const out: Directive[] = [];
  let m = /^tagguard:ignore\s+([\w,-]+)(.*)$/.exec(text);
  if (m) {
    const reason = /reason="([^"]*)"/.exec(m[2])?.[1];
    const until = /until=(\S+)/.exec(m[2])?.[1];
    out.push({ source: 'tagguard', rules: m[1].split(','), reason: reason === '' ? undefined : reason, until, placement: 'above', ...at });
  }
  m = /checkov:skip=([\w,]+)(?::(.*))?/.exec(text);
  if (m) {
    // The reason group is optional: undefined when the directive has none.
    const reason = m.at(2)?.trim();
    out.push({ source: 'checkov', rules: m[1].split(','), reason: reason === '' ? undefined : reason, placement: 'inside', ...at });
  }
  for (const tool of ['trivy', 'tfsec'] as const) {
    m = new RegExp(`${tool}:ignore:([\\w-]+)(?::exp:([\\d-]+))?`).exec(text);
    if (m) out.push({ source: tool, rules: [m[1]], until: m[2], placement: 'above', ...at });
  }
  if (/kics-scan\s+ignore-block/.test(text)) out.push({ source: 'kics', rules: [], placement: 'above', ...at });
  return out;
}

export interface SuppressionResult {
  findings: Finding[];
  /** Problems with the comments themselves (no reason, a bad date), as warnings. */
  warnings: Finding[];
}

/**
 * Marks findings that a comment suppresses. A comment counts on or directly above
 * the resource block (a run of comment lines), on or above the finding's own line,
 * or, for checkov:skip, anywhere inside the block. An expired one stops suppressing
 * and the finding says so.
 */
export function applySuppressions(
  findings: Finding[],
  resources: ResourceInstance[],
  comments: ReadonlyMap<string, Comment[]>,
  rules: RuleDescriptor[],
  today: string,
): SuppressionResult {
  const byAddress = new Map(resources.map((r) => [resourceKey(r.root, r.address), r]));
  const names = new Map(rules.map((r) => [r.id, new Set([r.id, ...(r.aliases ?? [])])]));
  const warnings = new Map<string, Finding>();
  const out = findings.map((f) => {
    const resource = byAddress.get(resourceKey(f.root, f.resource));
    if (!resource) return f;
    const block = resource.location;
    const fileComments = comments.get(block.file) ?? [];
    const above = commentRunAbove(fileComments, block.line);
    const candidates = fileComments.filter(
      (c) => c.line === block.line || above.has(c.line) || (f.file === block.file && (c.line === f.line || c.line === f.line - 1)),
    );
    const inside = fileComments.filter((c) => c.line >= block.line && c.line <= block.endLine);
    const matches = [
      ...candidates.flatMap((c) => directives(c, block.file)).filter((d) => d.placement === 'above'),
      ...inside.flatMap((c) => directives(c, block.file)).filter((d) => d.placement === 'inside'),
    ].filter((d) => d.rules.length === 0 || d.rules.some((r) => names.get(f.ruleId)?.has(r) ?? r === f.ruleId));
    for (const d of matches) {
      if (d.source === 'tagguard' && !d.reason)
        warnings.set(
          `${d.file}:${d.line}`,
          suppressionWarning(d, 'tagguard:ignore needs reason="…": say why this resource may keep mutable tags'),
        );
      if (d.until && !DATE.test(d.until))
        warnings.set(`${d.file}:${d.line}`, suppressionWarning(d, `"${d.until}" is not a date (YYYY-MM-DD)`));
    }
    const active = matches.find((d) => !d.until || !DATE.test(d.until) || d.until >= today);
    if (active) {
      const { rules: _r, placement: _p, ...suppression } = active;
      return { ...f, suppression };
    }
    const expired = matches.at(0);
    return expired
      ? { ...f, message: `${f.message} (the ${expired.source} suppression at ${expired.file}:${expired.line} expired on ${expired.until})` }
      : f;
  });
  return { findings: out, warnings: [...warnings.values()] };
}

/** Lines of the comments that stand directly above `line`, with no code or blank line between. */
function commentRunAbove(comments: Comment[], line: number): Set<number> {
  const lines = new Set(comments.map((c) => c.line));
  const run = new Set<number>();
  for (let l = line - 1; lines.has(l); l--) run.add(l);
  return run;
}

function suppressionWarning(d: Directive, message: string): Finding {
  return {
    ruleId: 'suppression-comment',
    severity: 'warning',
    resource: '',
    root: '',
    file: d.file,
    line: d.line,
    column: 1,
    endLine: d.line,
    endColumn: 1,
    message,
    trace: [],
  };
}
