import type { RuleUnit } from '../unit';
import { enforce, fixer, RULE_ID } from './fix';

export const imageReferenceImmutable: RuleUnit = { id: RULE_ID, fixer, cdktf: enforce };
