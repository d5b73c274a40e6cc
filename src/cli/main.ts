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
import { FIX_OPTIONS, GENERATE_OPTIONS, lastValue, POLICIES_OPTIONS, SCAN_OPTIONS } from './options';
import { checkOptionPaths, UsageError } from './usage';
import { lazy } from '../lazy';

// The factory without the singleton that 'yargs' builds from process.argv on load.
const loadYargs = lazy<typeof yargsType>(require, 'yargs/yargs');

/** Runs the command line and resolves to the exit code; nothing here calls process.exit. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
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
      throw new UsageError([msg, err?.message].find((text) => text) ?? 'invalid command line');
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
      'explain <rule>',
      'Explain a rule: why it matters, its verdicts and how to fix a finding',
      (y) => y.positional('rule', { type: 'string', demandOption: true }),
      async (args) => {
        await explainCommand(args, io);
      },
    )
    .demandCommand(1, 'name a command: scan, fix, generate, policies or explain');
  try {
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
