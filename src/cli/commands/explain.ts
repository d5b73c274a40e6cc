import { explain } from '../explain';
import type { Io } from '../io';
import { UsageError } from '../usage';

/** `explain <rule>`: a rule's explanation, found by id or alias. */
export async function explainCommand(args: { rule: string }, io: Io): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PolicyEngine } = require('../../policy/engine') as typeof import('../../policy/engine');
  const rules = (await PolicyEngine.load()).rules();
  const rule = rules.find((r) => r.id === args.rule || r.aliases?.includes(args.rule));
  if (!rule) throw new UsageError(`unknown rule "${args.rule}"; known rules: ${rules.map((r) => r.id).join(', ')}`);
  io.stdout.write(explain(rule));
}
