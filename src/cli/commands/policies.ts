import path from 'node:path';
import { escapeControl, forTerminal } from '../../report/escape';
import type { Io } from '../io';
import { lazy } from '../../lazy';

const loadEngine = lazy<typeof import('../../policy/engine')>(require, '../../policy/engine');
const loadCustom = lazy<typeof import('../../policy/custom')>(require, '../../policy/custom');

/** `policies`: one line per loaded rule, built-in and custom: id, severity, where it comes from, title. */
export async function policiesCommand(args: { policy: string[] }, io: Io): Promise<void> {
  const { PolicyEngine } = loadEngine();
  const { CustomPolicy } = loadCustom();
  const builtin = await PolicyEngine.load();
  const custom = await Promise.all(args.policy.map((p) => CustomPolicy.load(path.resolve(io.cwd, p), { name: p })));
  const loaded = [
    ...builtin.rules(),
    ...(
      await Promise.all(
        custom.map((c) =>
          c.rules().finally(() => {
            c.close();
          }),
        ),
      )
    ).flat(),
  ];
  // A custom policy's id and title are any text: shown escaped, as everything the scanned repository controls.
  const rules = loaded.map((r) => ({ ...r, id: escapeControl(r.id), severity: escapeControl(r.severity ?? '') }));
  const width = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) {
    const line = `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.source === 'built-in' ? 'built-in' : path.relative(io.cwd, r.source ?? '')}  ${r.title ?? ''}`;
    io.stdout.write(`${forTerminal(line)}\n`);
  }
}
