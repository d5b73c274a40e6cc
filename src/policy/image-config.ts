/**
 * The settings image-reference-immutable reads from `input.config`, apart from input.ts
 * so that the option table (cli/options.ts), loaded before anything else, loads nothing more.
 */

/** How a finding on an image tag in a registry tagguard cannot see is reported (`--unseen-registry`); ignore drops it. */
export type UnseenRegistrySeverity = 'error' | 'warning' | 'note' | 'ignore';

export const UNSEEN_REGISTRY_SEVERITIES: readonly UnseenRegistrySeverity[] = ['error', 'warning', 'note', 'ignore'];

/** The tags that move by convention when none are given (`--moving-tag`, `.tagguard.yml` moving_tags); matched exactly. */
export const DEFAULT_MOVING_TAGS: readonly string[] = ['latest', 'stable', 'main', 'master', 'dev', 'edge', 'nightly'];

/** The severity of an image tag in a registry tagguard cannot see when none is given (`--unseen-registry`). */
export const DEFAULT_UNSEEN_REGISTRY: UnseenRegistrySeverity = 'warning';

/** An image tag as the distribution spec allows it; a moving tag outside it could never match. */
export const TAG = /^[\w][\w.-]{0,127}$/;
