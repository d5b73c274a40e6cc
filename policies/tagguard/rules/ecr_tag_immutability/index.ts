import type { RuleUnit } from '../unit';
import { cdktfChange, enforce, fixer, RULE_ID } from './fix';

export const ecrTagImmutability: RuleUnit = { id: RULE_ID, fixer, cdktf: enforce, cdktfChange };
