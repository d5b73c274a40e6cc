/**
 * Lazy loading, in one place. tagguard keeps start-up short (a pre-commit run on one
 * file is mostly Node start-up), so a module that only some runs need (yargs, ajv,
 * yaml, tar-stream, @babel/code-frame, a formatter, the fixer, CDKTF synth…) is
 * loaded the first time it is used, not when the CLI starts:
 *
 *     const loadYaml = lazy<typeof import('yaml')>(require, 'yaml');
 *     const loadScan = lazy<typeof import('../scan/scan')>(require, '../scan/scan');
 *     …
 *     const { parseDocument } = loadYaml();
 *
 * The caller passes its own `require`, so a relative path resolves from the caller's
 * file as a `require` written there would; `typeof import(…)` types the module at no
 * run-time cost. The module is loaded once; later calls return the same exports.
 * A load that throws is not remembered: the next call tries again (and throws again).
 */
// The type parameter is the loaded module's type, which only the caller can name (require returns any).
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see the line above
export function lazy<T>(req: NodeJS.Require, id: string): () => T {
  let loaded = false;
  let exports: T;
  return () => {
    if (!loaded) {
      exports = req(id) as T;
      loaded = true;
    }
    return exports;
  };
}
