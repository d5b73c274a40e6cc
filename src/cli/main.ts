import type yargsType from 'yargs';
import { PreSearch } from '../discover/pre-search';
import { PolicyError } from '../policy/errors';
import { forTerminal } from '../report/escape';
import { explainCommand } from './commands/explain';
import { generateCommand } from './commands/generate';
import { policiesCommand } from './commands/policies';
import { scanCommand } from './commands/scan';
import { startEarlySearches } from './early-search';
import { defaultIo, EXIT, packageVersion, type Io } from './io';
import { FIX_OPTIONS, GENERATE_OPTIONS, lastValue, POLICIES_OPTIONS, SCAN_OPTIONS, type OptionSpec } from './options';
import { checkOptionPaths, UsageError } from './usage';
import { lazy } from '../lazy';

// The factory without the singleton that 'yargs' builds from process.argv on load.
const loadYargs = lazy<typeof yargsType>(require, 'yargs/yargs');

/** Runs the command line and resolves to the exit code; nothing here calls process.exit. */
export async function main(given: string[], io: Io = defaultIo()): Promise<number> {
  const argv = helpRequest(commandFirst(given));
  let code: number = EXIT.clean;
  const preSearch = new PreSearch();
  startEarlySearches(argv, io.cwd, preSearch);
  const yargs = loadYargs();
  const parser = yargs(argv)
    .scriptName('tagguard')
    .strict()
    // `--var.name=x` would become an object where a string is expected: such a word is an unknown option.
    .parserConfiguration({ 'dot-notation': false })
    .help()
    .version(packageVersion())
    .exitProcess(false)
    // yargs passes no error when it is the command line that is wrong; an empty text says nothing.
    .fail((msg, err: Error | undefined) => {
      throw new UsageError(
        unknownWords(msg, argv) ??
          invalidValues(msg) ??
          missingValue(msg, argv) ??
          [msg, err?.message].find((text) => text) ??
          'invalid command line',
      );
    })
    .command(
      'scan [paths..]',
      'Scan Terraform / OpenTofu code for ECR repositories whose image tags can be overwritten',
      (y) => withPaths(y).options(SCAN_OPTIONS).middleware(lastValue(SCAN_OPTIONS), true),
      async (args) => {
        code = await scanCommand(args, io, preSearch);
      },
    )
    .command(
      'fix [paths..]',
      'Rewrite the code that makes a repository mutable (scan --fix), then report what is left',
      (y) => withPaths(y).options(FIX_OPTIONS).middleware(lastValue(FIX_OPTIONS), true),
      async (args) => {
        code = await scanCommand({ ...args, fix: true }, io, preSearch);
      },
    )
    .command(
      'generate',
      'Write a compliant ECR stack (HCL, Terraform JSON or a CDKTF app) by synthesizing tagguard/cdktf',
      (y) => y.options(GENERATE_OPTIONS).middleware(lastValue(GENERATE_OPTIONS), true),
      async (args) => {
        checkOptionPaths(GENERATE_OPTIONS, args, io.cwd);
        code = await generateCommand(args, io);
      },
    )
    .command(
      'policies',
      'List the loaded rules: id, severity and where each comes from',
      (y) => y.options(POLICIES_OPTIONS),
      async (args) => {
        checkOptionPaths(POLICIES_OPTIONS, args, io.cwd);
        await policiesCommand(args, io);
      },
    )
    .command(
      'explain [rule]',
      'Explain a rule: why it matters, its verdicts and how to fix a finding',
      (y) => y.positional('rule', { type: 'string', describe: 'A rule id or alias (without one: the list of rules)' }),
      async (args) => {
        await explainCommand(args, io);
      },
    )
    // Never run: helpRequest() has made `help [command]` into `[command] --help`; declared to be listed in --help.
    .command('help [command]', 'Show the help of tagguard or of one command')
    .demandCommand(1, 'name a command: scan, fix, generate, policies or explain');
  try {
    const unknown = argv[0] === UNKNOWN_HELP ? argv.at(1) : undefined;
    if (unknown !== undefined) throw new UsageError(`help ${unknown}: ${unknownCommand(unknown)}`);
    // With a callback, yargs hands over the text of --help and --version instead of printing it to the console.
    let shown = '';
    await parser.parseAsync(argv, {}, (_err, _args, output) => {
      shown += output;
    });
    if (shown) io.stdout.write(`${shown}\n`);
  } catch (e) {
    // What the message quotes (paths, keys, values) is shown escaped; only a list of config errors keeps its line breaks.
    io.stderr.write(
      `tagguard: ${forTerminal(e instanceof Error ? e.message : String(e), { keepLineBreaks: e instanceof UsageError && e.severalLines })}\n`,
    );
    if (!(e instanceof UsageError || e instanceof PolicyError))
      io.stderr.write('(an internal error; please report it with the command line that caused it)\n');
    return EXIT.usage;
  }
  return code;
}

function withPaths(y: yargsType.Argv) {
  return y.positional('paths', { type: 'string', array: true, default: ['.'], describe: 'Files or directories to scan' });
}

const COMMANDS = ['scan', 'fix', 'generate', 'policies', 'explain'] as const;

/** The options of each command, for "did you mean" (help and version are every command's). */
const TABLES: Record<string, Readonly<Record<string, OptionSpec>>> = {
  scan: SCAN_OPTIONS,
  fix: FIX_OPTIONS,
  generate: GENERATE_OPTIONS,
  policies: POLICIES_OPTIONS,
  explain: {},
};

/** Marks `help <word>` where the word names no command (a word no command line can start with). */
const UNKNOWN_HELP = '\0help';

/**
 * A bare `tagguard` and `tagguard help [command]` show help, as `git`, `terraform` and
 * `trivy` do: the command line is read as `--help` or `<command> --help`.
 */
/**
 * Options written before the command (`tagguard --quiet scan .`, as trivy and checkov
 * allow) are the command's: the command word moves to the front. Only a word that names
 * a command counts, so an option's value (`--format json scan`) stays in its place.
 */
function commandFirst(argv: string[]): string[] {
  if (!argv[0]?.startsWith('-')) return argv;
  const end = argv.indexOf('--');
  const at = argv.findIndex((word, i) => (end < 0 || i < end) && (COMMANDS as readonly string[]).includes(word));
  return at > 0 ? [argv[at], ...argv.slice(0, at), ...argv.slice(at + 1)] : argv;
}

function helpRequest(argv: string[]): string[] {
  if (argv.length === 0) return ['--help'];
  if (argv[0] !== 'help') return argv;
  const command = argv.at(1);
  if (command === undefined || command.startsWith('-')) return ['--help'];
  return (COMMANDS as readonly string[]).includes(command) ? [command, '--help'] : [UNKNOWN_HELP, command];
}

/**
 * yargs' "Unknown argument(s): a, b" as tagguard says it: each word named as the user
 * wrote it (`--frmat`, or a command), with the nearest option or command when one is
 * close (as git's and cargo's "did you mean").
 */
function unknownWords(message: string, argv: readonly string[]): string | undefined {
  const listed = /^Unknown arguments?: (.*)$/.exec(message)?.[1];
  if (listed === undefined) return undefined;
  const command = argv.find((word) => !word.startsWith('-'));
  const table = command !== undefined && Object.hasOwn(TABLES, command) ? TABLES[command] : undefined;
  // yargs names an unknown `--a-b` twice: as written and as `aB`.
  const camel = (name: string) => name.replace(/-+([^-])/g, (_, c: string) => c.toUpperCase());
  const words = listed.split(', ').map((word) => {
    const written = argv
      .filter((a) => a.startsWith('-'))
      .map((a) => a.split('=')[0] ?? a)
      .find((a) => [a.replace(/^-+/, ''), camel(a.replace(/^-+/, ''))].includes(word));
    // With no command, the words after the first are its arguments: the command is what is wrong.
    if (written === undefined) return table ? `unexpected argument "${word}"` : word === command ? unknownCommand(word) : undefined;
    const near = nearest(written.replace(/^-+/, ''), [...Object.keys(table ?? {}), 'help', 'version']);
    return `unknown option ${written}${near ? ` (did you mean --${near}?)` : ''}`;
  });
  return [...new Set(words.filter((w) => w !== undefined))].join('; ');
}

/** yargs' "Not enough arguments following: format" as `--format needs a value (one of text, json, …)`. */
function missingValue(message: string, argv: readonly string[]): string | undefined {
  const name = /^Not enough arguments following: (.+)$/.exec(message)?.[1];
  if (name === undefined) return undefined;
  const command = argv.find((word) => !word.startsWith('-'));
  const table = command !== undefined && Object.hasOwn(TABLES, command) ? TABLES[command] : {};
  const entry = Object.entries(table).find(([long, spec]) => long === name || [spec.alias ?? []].flat().includes(name));
  const choices = entry?.[1].choices;
  return `--${entry?.[0] ?? name} needs a value${choices ? ` (one of ${[...choices].join(', ')})` : ''}`;
}

/** yargs' "Invalid values:" and a line per option, as one line: `--format "x": must be one of text, json`. */
function invalidValues(message: string): string | undefined {
  if (!message.startsWith('Invalid values:')) return undefined;
  const lines = [...message.matchAll(/Argument: (.+?), Given: (.+?), Choices: (.+)/g)];
  if (!lines.length) return undefined;
  return lines.map(([, name, given, choices]) => `--${name} ${given}: must be one of ${choices.replace(/"/g, '')}`).join('; ');
}

function unknownCommand(word: string): string {
  const near = nearest(word, COMMANDS);
  return `unknown command "${word}"${near ? ` (did you mean ${near}?)` : ` (the commands: ${COMMANDS.join(', ')})`}`;
}

/** The candidate nearest to `word` by edit distance, when it is near enough to be a slip: at most 2 edits and fewer than half the word. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name);
    if (distance <= 2 && distance * 2 < word.length && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Edit distance (insertions, deletions, substitutions and swaps of neighbours: `sacn` is one from `scan`). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}
