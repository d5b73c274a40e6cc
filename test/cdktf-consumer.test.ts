import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers';
import { consumerProject, runNode, tsc } from './consumer';

/** The TypeScript settings `cdktf init --template typescript` writes (CommonJS, no moduleResolution: node10, which ignores exports). */
const CDKTF_INIT = JSON.parse(
  readFileSync(path.join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'templates', 'typescript', 'tsconfig.json'), 'utf8'),
) as { compilerOptions: Record<string, unknown> };

const STRICT = { target: 'ES2022', strict: true, noUnusedLocals: true, skipLibCheck: true };

const SETTINGS = [
  { name: 'cdktf init (module CommonJS, node10 resolution)', folder: 'init', compilerOptions: CDKTF_INIT.compilerOptions, esm: false },
  {
    name: 'module and moduleResolution Node16',
    folder: 'node16',
    compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
    esm: false,
  },
  {
    name: 'moduleResolution Bundler (ES modules)',
    folder: 'bundler',
    compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler' },
    esm: true,
  },
];

/** A consumer's app: the constructs and the aspect from tagguard/cdktf, synthesized, with what the aspect said. */
const APP = `import { App, TerraformStack } from 'cdktf';
import { ImmutableEcrRepository, TagguardAspect } from 'tagguard/cdktf';

const stack = new TerraformStack(new App({ outdir: 'out' }), 'stack');
const good = new ImmutableEcrRepository(stack, 'good', { name: 'shop/api' });
const bad = new ImmutableEcrRepository(stack, 'bad', { name: 'shop/web' });
bad.repository.addOverride('image_tag_mutability', 'MUTABLE');
for (const repo of [good, bad]) new TagguardAspect({ mode: 'warn' }).visit(repo.repository);
const said = stack.node
  .findAll()
  .flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));
console.log(JSON.stringify({ mutability: good.repository.imageTagMutabilityInput, said }));
`;

describe('tagguard/cdktf in a project that installed tagguard', () => {
  const project = consumerProject();

  test.each(SETTINGS)('compiles and runs under $name', ({ folder, compilerOptions, esm }) => {
    const dir = path.join(project, folder);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['main.ts'] }, null, 2));
    writeFileSync(path.join(dir, 'main.ts'), APP);
    // Node reads the emitted main.js as an ES module there, as a bundler-built app is.
    if (esm) writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    tsc(dir);
    const printed = JSON.parse(runNode(['main.js'], dir)) as { mutability: string; said: string[] };
    expect(printed).toEqual({
      mutability: 'IMMUTABLE',
      said: [
        'stack/bad/repository: image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE [ecr-tag-immutability/mutable]',
      ],
    });
  });
});
