import { lazy } from '../../lazy';
import { explain } from '../explain';
import type { Io } from '../io';
import { UsageError } from '../usage';

const loadEngine = lazy<typeof import('../../policy/engine')>(require, '../../policy/engine');

/** `explain [rule]`: a rule's explanation, found by id or alias; without one, the rules. */
export async function explainCommand(args: { rule?: string }, io: Io): Promise<void> {
  const { PolicyEngine } = loadEngine();
  const rules = (await PolicyEngine.load()).rules();
  if (args.rule === undefined) {
    const width = Math.max(...rules.map((r) => r.id.length));
    io.stdout.write(
      rules.map((r) => `${r.id.padEnd(width)}  ${r.severity}  ${r.title ?? ''}`.trimEnd()).join('\n') +
        '\n\ntagguard explain <rule> explains one (an id or an alias such as ' +
        (rules.find((r) => r.aliases?.length)?.aliases?.[0] ?? 'CKV_AWS_51') +
        ')\n',
    );
    return;
  }
  const name = args.rule;
  const rule = rules.find((r) => r.id === name || r.aliases?.includes(name));
  if (!rule) throw new UsageError(`unknown rule "${name}"; known rules: ${rules.map((r) => r.id).join(', ')}`);
  io.stdout.write(explain(rule));
}
