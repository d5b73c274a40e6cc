import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, LocalBackend } from 'cdktf';
import { STACK, type GeneratedFile } from './project';
import { CompliantEcrStack, type CompliantEcrStackConfig } from './stack';

/**
 * A compliant stack as HCL or Terraform JSON, by synthesizing CompliantEcrStack: both come
 * from the same synth, and the CDKTF project (project.ts) builds that same stack.
 */
export function generateStack(config: CompliantEcrStackConfig, format: 'hcl' | 'json'): GeneratedFile[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'tagguard-generate-'));
  try {
    const app = new App({ outdir, skipValidation: false });
    const stack = new CompliantEcrStack(app, STACK, config);
    // Otherwise cdktf writes a local backend with this machine's absolute path.
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    app.synth();
    if (format === 'json')
      return [{ path: 'main.tf.json', text: readFileSync(path.join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8') + '\n' }];
    // cdktf types the result as { [key: string]: any }: check the one field read.
    const { hcl } = stack.toHclTerraform() as Record<string, unknown>;
    if (typeof hcl !== 'string') throw new Error('cdktf did not synthesize HCL text');
    return [{ path: 'main.tf', text: indentHcl(hcl) }];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * cdktf writes HCL without indentation: indent by brace depth and align the `=` of
 * consecutive attributes, as terraform fmt does.
 */
export function indentHcl(hcl: string): string {
  let depth = 0;
  const lines: { depth: number; text: string }[] = [];
  for (const raw of hcl.split('\n')) {
    const text = raw.trim();
    const last = lines.at(-1);
    if (text === '' && (last === undefined || last.text === '' || /[{[]$/.test(last.text))) continue;
    if (/^[}\]]/.test(text)) depth = Math.max(0, depth - 1);
    if (/^[}\]]/.test(text) && lines.at(-1)?.text === '') lines.pop();
    lines.push({ depth, text });
    if (/[{[]$/.test(text)) depth++;
  }
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && isAttribute(lines[j].text) && lines[j].depth === lines[i].depth) j++;
    if (j === i) {
      const { depth: d, text } = lines[i++];
      out.push(text ? '  '.repeat(d) + text : '');
      continue;
    }
    const width = Math.max(...lines.slice(i, j).map((l) => l.text.indexOf(' =')));
    for (const { depth: d, text } of lines.slice(i, j)) {
      const at = text.indexOf(' =');
      out.push('  '.repeat(d) + text.slice(0, at).padEnd(width) + text.slice(at));
    }
    i = j;
  }
  return out.join('\n').trim() + '\n';
}

function isAttribute(line: string): boolean {
  return /^[A-Za-z_][\w-]* = /.test(line) && !/[{[]$/.test(line);
}
