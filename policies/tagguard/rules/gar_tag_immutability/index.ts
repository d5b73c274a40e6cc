import type { RuleUnit } from '../unit';
import { cdktfChange, enforce, fixer, RULE_ID } from './fix';

export const garTagImmutability: RuleUnit = { id: RULE_ID, fixer, cdktf: enforce, cdktfChange };
