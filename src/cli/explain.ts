import type { RuleDescriptor } from '../policy/engine';

/** `tagguard explain`: everything comes from the policy's METADATA; a field a rule leaves out leaves its section out. */
export function explain(rule: RuleDescriptor): string {
  const out: string[] = [rule.title ? `${rule.id}: ${rule.title}` : rule.id, `severity: ${rule.severity}`, ''];
  if (rule.description) out.push('Why it matters', wrap(rule.description), '');
  if (rule.verdicts?.length) {
    out.push(rule.verdicts_of ? `Verdicts (${rule.verdicts_of})` : 'Verdicts');
    const width = Math.max(...rule.verdicts.map((v) => v.value.length));
    for (const v of rule.verdicts) out.push(`  ${v.value.padEnd(width)}  ${v.verdict}`);
    out.push('');
  }
  if (rule.images && Object.keys(rule.images).length) {
    out.push('Where images are read');
    const width = Math.max(...Object.keys(rule.images).map((t) => t.length));
    // In the order the rule lists its resource types (an object's keys come back in any order).
    const order = (t: string) => rule.resource_types?.indexOf(t) ?? -1;
    const rows = Object.entries(rule.images).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
    for (const [type, paths] of rows) out.push(`  ${type.padEnd(width)}  ${paths.join(', ')}`);
    out.push('');
  }
  if (rule.recommended_action) out.push('How to fix', wrap(rule.recommended_action), '');
  if (rule.fix_hcl) out.push('In Terraform / OpenTofu (HCL):', '', indent(rule.fix_hcl), '');
  if (rule.fix_cdktf) out.push('In CDK for Terraform (TypeScript):', '', indent(rule.fix_cdktf), '');
  if (rule.aliases?.length) out.push(`Also known as: ${rule.aliases.join(', ')}`);
  if (rule.links.length) out.push('See also:', ...rule.links.map((l) => `  ${l}`));
  return out.join('\n') + '\n';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? '    ' + l : l))
    .join('\n');
}

function wrap(text: string, width = 88): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => '  ' + l).join('\n');
}
