import { existsSync, lstatSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { constructId } from '../../cdktf/construct-id';
import { lazy } from '../../lazy';
import { EXIT, say, writeFileAtomic, type Io } from '../io';
import { UsageError } from '../usage';

export interface GenerateArgs {
  repo: string[];
  'kms-key'?: string;
  region?: string;
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

/** ECR's repository names: lower case, parts separated by /, 2 to 256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** ECR accepts at most this many image tag mutability exclusion filters per repository. */
const MAX_EXCLUSION_FILTERS = 5;
/** AWS regions: eu-west-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** A KMS key or alias ARN in any partition. */
const KMS_KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:(?:key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;

/**
 * What ECR and Terraform would refuse, refused here with the option that holds it: every
 * value generate writes is checked, so none can be read as an interpolation (`${…}`).
 */
function validate(args: GenerateArgs): void {
  const seen = new Map<string, string>();
  for (const name of args.repo) {
    if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name))
      throw new UsageError(
        `--repo ${JSON.stringify(name)}: an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts`,
      );
    const id = constructId(name);
    const other = seen.get(id);
    if (other === name) throw new UsageError(`--repo ${name} is given twice`);
    if (other !== undefined)
      throw new UsageError(`--repo ${other} and --repo ${name} would both be the Terraform resource aws_ecr_repository.${id}`);
    seen.set(id, name);
  }
  const tags = args['allow-mutable-tag'];
  if (tags.length > MAX_EXCLUSION_FILTERS)
    throw new UsageError(
      `--allow-mutable-tag is given ${tags.length} times: ECR accepts at most ${MAX_EXCLUSION_FILTERS} exclusion filters`,
    );
  if (args.region !== undefined && !REGION.test(args.region))
    throw new UsageError(`--region ${JSON.stringify(args.region)}: not an AWS region (such as eu-west-1)`);
  const key = args['kms-key'];
  if (key !== undefined && !KMS_KEY_ARN.test(key))
    throw new UsageError(`--kms-key ${JSON.stringify(key)}: not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>, or alias/<name>)`);
}

/** `generate`: a compliant ECR stack on stdout, or its files written into --out. */
export async function generateCommand(args: GenerateArgs, io: Io): Promise<number> {
  validate(args);
  const tags = args['allow-mutable-tag'];
  const config = {
    repositories: args.repo.map((name) => ({ name, ...(tags.length ? { mutableTags: tags } : {}) })),
    ...(args.region ? { region: args.region } : {}),
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
  if (args.format === 'cdktf')
    say(
      io,
      `next, in ${path.relative(io.cwd, path.resolve(io.cwd, out)) || '.'}: npm install --save-dev <tagguard package file> (tagguard is on no registry), then npx cdktf synth`,
    );
  return EXIT.clean;
}
