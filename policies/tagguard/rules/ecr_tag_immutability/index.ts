import type { RuleUnit } from '../unit';
import { enforce, fixer } from './fix';

/** The tags `--allow-mutable-tag` allows when it is not given (policy.rego: allowed_tags). */
export const DEFAULT_ALLOWED_MUTABLE_TAGS: readonly string[] = ['latest'];

export const ecrTagImmutability: RuleUnit = { id: 'ecr-tag-immutability', fixer, cdktf: enforce };
