import type { Range } from '../parse/source';

/** One step from where a value is used to where it is written. */
export interface TraceStep {
  file: string;
  line: number;
  column: number;
  note: string;
}

/**
 * The result of evaluating an expression statically: a known value with the range
 * of the literal it came from, or an unknown with the reason. The trace leads from
 * the use to the origin.
 */
export type Value =
  | { known: true; value: unknown; origin?: Range; trace: TraceStep[] }
  | { known: false; reason: string; origin?: Range; trace: TraceStep[] };

export function known(value: unknown, origin?: Range, trace: TraceStep[] = []): Value {
  return { known: true, value, origin, trace };
}

export function unknown(reason: string, origin?: Range, trace: TraceStep[] = []): Value {
  return { known: false, reason, origin, trace };
}

export function step(range: Range, note: string): TraceStep {
  return { file: range.file, line: range.line, column: range.column, note };
}

/** Prepends a step to a value's trace: the value was reached through `range`. */
export function via(value: Value, range: Range, note: string): Value {
  return { ...value, trace: [step(range, note), ...value.trace] };
}
