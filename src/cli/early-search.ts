import parseArgv from 'yargs-parser';
import type { PreSearch, SearchScope } from '../discover/pre-search';
import { namedFiles } from '../discover/paths';
import { lazy } from '../lazy';
import { SCAN_OPTIONS, type OptionSpec } from './options';

const loadPreSearch = lazy<typeof import('../discover/pre-search')>(require, '../discover/pre-search');
const loadBuiltin = lazy<typeof import('../policy/builtin')>(require, '../policy/builtin');

type Table = Readonly<Record<string, OptionSpec>>;

/** The parser settings yargs derives from an option table, for a first reading of the command line. */
function parserOptions(table: Table): parseArgv.Options {
  const ofType = (type: OptionSpec['type']) =>
    Object.entries(table)
      .filter(([, spec]) => spec.type === type)
      .map(([name]) => name);
  return {
    boolean: ofType('boolean'),
    string: ofType('string'),
    number: ofType('number'),
    alias: Object.fromEntries(
      Object.entries(table).flatMap(([name, spec]) => (spec.alias === undefined ? [] : [[name, [spec.alias].flat()]])),
    ),
    // As main.ts configures yargs; paths stay text (`007` is a directory, not 7).
    configuration: { 'dot-notation': false, 'parse-positional-numbers': false },
  };
}

/** The paths of a scan or fix as yargs will read them, or undefined when the searches must wait for the full parse. */
export function earlyScanPaths(argv: string[]): string[] | undefined {
  return earlyScanArgs(argv)?._.map(String);
}

function earlyScanArgs(argv: string[]): parseArgv.Arguments | undefined {
  if (argv[0] !== 'scan' && argv[0] !== 'fix') return undefined;
  const args = parseArgv(argv.slice(1), parserOptions(SCAN_OPTIONS));
  // The searches depend on what these name (a plan, policies, git, a config file).
  if (Object.entries(SCAN_OPTIONS).some(([name, spec]) => 'delaysSearch' in spec && args[name] !== undefined)) return undefined;
  return args;
}

/**
 * Starts grep from a first reading of a scan's command line, before yargs and the
 * scanner load (about 40 ms on the pre-commit path). The full parse then keeps the
 * searches it would start itself and drops the others (startSearches).
 */
export function startEarlySearches(argv: string[], cwd: string, preSearch: PreSearch): void {
  const args = earlyScanArgs(argv);
  if (!args) return;
  const paths = args._.map(String);
  const only = namedFiles(paths.length ? paths : ['.'], cwd);
  startSearches({ paths: only.scanPaths, onlyFiles: only.files, cwd, strict: args.strict === true }, preSearch);
}

/** Starts the grep searches a scan will use, and drops any started early that it will not. */
export function startSearches(scope: SearchScope, preSearch: PreSearch): void {
  const { PreSearch } = loadPreSearch();
  const { builtinResourceTypes } = loadBuiltin();
  preSearch.start(PreSearch.plan(scope, builtinResourceTypes));
}
