import { existsSync, lstatSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lazy } from '../../lazy';
import { EXIT, say, writeFileAtomic, type Io } from '../io';
import { UsageError } from '../usage';

export interface GenerateArgs {
  repo: string[];
  'kms-key'?: string;
  'allow-mutable-tag': string[];
  format: 'hcl' | 'json' | 'cdktf';
  out?: string;
  force: boolean;
}

const loadSynth = lazy<typeof import('../../cdktf/synth')>(require, '../../cdktf/synth');
const loadProject = lazy<typeof import('../../cdktf/project')>(require, '../../cdktf/project');

/** The peer dependencies HCL and JSON are synthesized with. */
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-aws'];

/**
 * cdktf is an optional peer dependency: loaded only for generate --format hcl|json, never
 * by scan. Without it, the one command that installs it.
 */
function loadGenerator(): typeof import('../../cdktf/synth') {
  try {
    return loadSynth();
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /^Cannot find module '([^']+)'/.exec((e as Error).message);
    if (!missing || !PEERS.some((peer) => missing[1] === peer || missing[1].startsWith(`${peer}/`))) throw e;
    throw new UsageError(
      `generate needs cdktf, constructs and @cdktf/provider-aws to write HCL or JSON (${missing[1]} is not installed): ${loadProject().installCommand()}`,
    );
  }
}

/** `generate`: a compliant ECR stack on stdout, or its files written into --out. */
export async function generateCommand(args: GenerateArgs, io: Io): Promise<number> {
  const tags = args['allow-mutable-tag'];
  const config = {
    repositories: args.repo.map((name) => ({ name, ...(tags.length ? { mutableTags: tags } : {}) })),
    ...(args['kms-key'] ? { kmsKeyArn: args['kms-key'] } : {}),
    ...(tags.length ? { allowedMutableTags: tags } : {}),
  };
  const files = args.format === 'cdktf' ? loadProject().cdktfProject(config) : loadGenerator().generateStack(config, args.format);
  const out = args.out;
  if (!out) {
    io.stdout.write(files[0].text);
    if (files.length > 1)
      say(
        io,
        `also needs ${files
          .slice(1)
          .map((f) => f.path)
          .join(', ')}: use --out <dir> to write them all`,
      );
    return EXIT.clean;
  }
  const targets = files.map((f) => ({ ...f, abs: path.resolve(io.cwd, out, f.path) }));
  // --out itself was checked with the other options (usage.ts); a link in it is never written through, even with --force.
  for (const t of targets) {
    if (lstatSync(t.abs, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new UsageError(`--out ${args.out}: ${path.relative(io.cwd, t.abs)} is a symlink; tagguard does not write through one`);
    }
  }
  const existing = targets.filter((t) => existsSync(t.abs));
  if (existing.length && !args.force)
    throw new UsageError(`not overwriting ${existing.map((t) => path.relative(io.cwd, t.abs)).join(', ')} (use --force)`);
  await mkdir(path.resolve(io.cwd, out), { recursive: true });
  for (const t of targets) await writeFileAtomic(t.abs, t.text);
  say(io, `wrote ${targets.map((t) => path.relative(io.cwd, t.abs)).join(', ')}`);
  return EXIT.clean;
}
