import type { Range } from '../parse/source';

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
  /** Resource and module instances expanded from count and for_each. */
  instances: 50_000,
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
  ) {
    super(`this root needs more than ${WORK_LIMITS[work].toLocaleString('en-US')} ${WHAT[work]}, the most tagguard spends on one root; it is not judged`);
  }
}

/** What one root has spent so far. */
export class WorkBudget {
  private readonly spent: Record<Work, number> = { steps: 0, elements: 0, instances: 0, characters: 0 };

  spend(work: Work, n: number, at: Range): void {
    this.spent[work] += n;
    if (this.spent[work] > WORK_LIMITS[work]) throw new BudgetExceeded(work, at);
  }
}
