import type { Range } from '../../parse/source';

/**
 * The work one root may cost. Terraform bounds none of these, but a scan must end and
 * stay in its memory: each limit is far above what real configurations reach (the
 * largest roots we measured take well under a tenth of each).
 */
export const WORK_LIMITS = {
  /** Expressions evaluated, across every module instance of the root. */
  steps: 5_000_000,
  /** Elements of lists, sets, maps and objects built. */
  elements: 500_000,
  /** Resource and module instances expanded from count and for_each (each is judged by the policy). */
  instances: 10_000,
  /** Characters of strings built by templates and functions. */
  characters: 64 * 1024 * 1024,
} as const;

export type Work = keyof typeof WORK_LIMITS;

const WHAT: Record<Work, string> = {
  steps: 'expressions evaluated',
  elements: 'collection elements built',
  instances: 'resource and module instances',
  characters: 'characters of strings built',
};

/** Thrown through the evaluation of a root when its budget runs out; the root is then an input error at `at`. */
export class BudgetExceeded extends Error {
  constructor(
    readonly work: Work,
    readonly at: Range,
    scanLimit?: number,
  ) {
    super(
      scanLimit
        ? `with this root the scan needs more than ${scanLimit.toLocaleString('en-US')} ${WHAT[work]}, the most tagguard judges in one scan; this root is not judged`
        : `this root needs more than ${WORK_LIMITS[work].toLocaleString('en-US')} ${WHAT[work]}, the most tagguard spends on one root; it is not judged`,
    );
  }
}

/** Instances of all roots together: many roots of 10,000 each would still make the policy's input too large. */
export const SCAN_INSTANCE_LIMIT = 100_000;

/** What one root has spent so far; `scan` counts the instances of every root of the scan. */
export class WorkBudget {
  private readonly spent: Record<Work, number> = { steps: 0, elements: 0, instances: 0, characters: 0 };

  constructor(private readonly scan: { instances: number } = { instances: 0 }) {}

  spend(work: Work, n: number, at: Range): void {
    this.spent[work] += n;
    if (this.spent[work] > WORK_LIMITS[work]) throw new BudgetExceeded(work, at);
    if (work !== 'instances') return;
    this.scan.instances += n;
    if (this.scan.instances > SCAN_INSTANCE_LIMIT) throw new BudgetExceeded(work, at, SCAN_INSTANCE_LIMIT);
  }
}
