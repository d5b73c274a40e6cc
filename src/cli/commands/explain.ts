import { lazy } from '../../lazy';
import { explain } from '../explain';
import type { Io } from '../io';
import { UsageError } from '../usage';

const loadEngine = lazy<typeof import('../../policy/engine')>(require, '../../policy/engine');

/** `explain <rule>`: a rule's explanation, found by id or alias. */
export async function explainCommand(args: { rule: string }, io: Io): Promise<void> {
  const { PolicyEngine } = loadEngine();
  const rules = (await PolicyEngine.load()).rules();
  const rule = rules.find((r) => r.id === args.rule || r.aliases?.includes(args.rule));
  if (!rule) throw new UsageError(`unknown rule "${args.rule}"; known rules: ${rules.map((r) => r.id).join(', ')}`);
  io.stdout.write(explain(rule));
}
