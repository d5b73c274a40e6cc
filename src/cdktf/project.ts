import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';
import type { CompliantEcrStackConfig } from './stack';

export type GenerateFormat = 'hcl' | 'json' | 'cdktf';

export interface GeneratedFile {
  path: string;
  text: string;
}

/** The stack's id: cdktf synthesizes it into cdktf.out/stacks/<id>. */
export const STACK = 'ecr';

/** The packages a CDKTF app of tagguard's needs at run time, and the tools that build it. */
const RUNTIME = ['cdktf', 'constructs', '@cdktf/provider-aws'] as const;
const TOOLS = ['cdktf-cli', 'typescript', 'ts-node', '@types/node'] as const;

/**
 * The versions tagguard is built and tested with (its own devDependencies, exact versions):
 * a generated project pins these, and the install hint names them.
 */
export function testedVersions(): Record<(typeof RUNTIME)[number] | (typeof TOOLS)[number], string> {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const pick = (name: string) => {
    const version = pkg.devDependencies[name];
    if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`tagguard's package.json does not pin ${name} (${version})`);
    return version;
  };
  return Object.fromEntries([...RUNTIME, ...TOOLS].map((name) => [name, pick(name)])) as ReturnType<typeof testedVersions>;
}

/** The one command that installs what `generate --format hcl|json` synthesizes with. */
export function installCommand(): string {
  const versions = testedVersions();
  return `npm install --save-dev ${RUNTIME.map((name) => `${name}@${versions[name]}`).join(' ')}`;
}

/** The TypeScript settings `cdktf init --template typescript` writes (CommonJS, strict, no unused locals). */
const TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ['es2018'],
    module: 'CommonJS',
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: 'ES2018',
    skipLibCheck: true,
  },
  include: ['**/*.ts'],
  exclude: ['node_modules', 'cdktf.out'],
};

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/**
 * A CDKTF project that builds the stack as written: `npm install`, then `npx cdktf synth`
 * (or `npx ts-node main.ts`). main.ts first, for generate without --out.
 */
export function cdktfProject(config: CompliantEcrStackConfig): GeneratedFile[] {
  const versions = testedVersions();
  const main = [
    "import { App } from 'cdktf';",
    "import { CompliantEcrStack } from 'tagguard/cdktf';",
    '',
    'const app = new App();',
    `new CompliantEcrStack(app, '${STACK}', ${JSON.stringify(config, null, 2)});`,
    'app.synth();',
    '',
  ].join('\n');
  const pkg = {
    name: 'ecr-registry',
    version: '1.0.0',
    private: true,
    main: 'main.js',
    scripts: { synth: 'cdktf synth', build: 'tsc', scan: 'tagguard scan .' },
    // Not tagguard: it is on no registry, so a version here would install whatever someone published under that name.
    // `npm install --save-dev <tagguard package file>` adds it (the hint generate prints).
    dependencies: Object.fromEntries(RUNTIME.map((name) => [name, versions[name]])),
    devDependencies: Object.fromEntries(TOOLS.map((name) => [name, versions[name]])),
  };
  const cdktfJson = { language: 'typescript', app: 'npx ts-node main.ts', terraformProviders: [], terraformModules: [], context: {} };
  return [
    { path: 'main.ts', text: main },
    { path: 'package.json', text: json(pkg) },
    { path: 'tsconfig.json', text: json(TSCONFIG) },
    { path: 'cdktf.json', text: json(cdktfJson) },
    { path: '.gitignore', text: ['node_modules/', 'cdktf.out/', '*.js', '*.d.ts', '*.tfstate*', ''].join('\n') },
  ];
}
