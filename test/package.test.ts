import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packedFiles } from './consumer';
import { ROOT } from './helpers';

/** Files under a folder of the checkout, relative to it, with / separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The compiled outputs of the TypeScript under a folder (src/ or policies/): dist/<folder>/….js and .d.ts. */
function compiled(dir: string): string[] {
  return filesUnder(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap((f) => [`dist/${f.replace(/\.ts$/, '.js')}`, `dist/${f.replace(/\.ts$/, '.d.ts')}`]);
}

// Everything the package may hold. Source maps are not shipped (tsconfig.build.json): a map
// without its sources points at files that are not there.
const SHIPPED = [
  /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
  /^action\.yml$/, // `uses: ./node_modules/tagguard` in a project that depends on it
  /^bin\/tagguard\.js$/,
  /^dist\/(src|policies)\/.+\.(js|d\.ts|json)$/, // .json: data the code imports, which tsc copies
  /^policies\/dist\/(policy\.wasm|manifest\.json)$/,
  /^models\/.+$/,
];

describe('npm pack', () => {
  const files = packedFiles();

  test('ships nothing but the built code, the compiled policy, the models and the package documents', () => {
    expect(files.filter((f) => !SHIPPED.some((pattern) => pattern.test(f)))).toEqual([]);
  });

  test('ships every compiled source (src/ and rule code under policies/), the policy bundle and every model', () => {
    const expected = [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/tagguard.js',
      ...compiled('src'),
      ...compiled('policies'),
      'policies/dist/policy.wasm',
      'policies/dist/manifest.json',
      ...filesUnder('models'),
    ];
    expect(expected.filter((f) => !files.includes(f))).toEqual([]);
  });

  test("ships what package.json's bin, exports and typesVersions name", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    const named = [
      ...Object.values(pkg.bin),
      ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
      ...Object.values(pkg.typesVersions).flatMap((paths) => Object.values(paths).flat()),
    ].map((p) => path.posix.normalize(p));
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((f) => !files.includes(f))).toEqual([]);
  });
});
