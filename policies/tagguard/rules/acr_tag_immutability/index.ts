import type { RuleUnit } from '../unit';
import { enforce, fixer, RULE_ID } from './fix';

export const acrTagImmutability: RuleUnit = { id: RULE_ID, fixer, cdktf: enforce };
