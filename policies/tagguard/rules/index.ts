/**
 * Every built-in rule with TypeScript parts, registered here and nowhere else: adding a
 * rule is its folder plus one line below (CONTRIBUTING.md, "Add a rule").
 */
import { acrTagImmutability } from './acr_tag_immutability';
import { ecrTagImmutability } from './ecr_tag_immutability';
import { garTagImmutability } from './gar_tag_immutability';
import { harborTagImmutability } from './harbor_tag_immutability';
import { imageReferenceImmutable } from './image_reference_immutable';
import type { RuleUnit } from './unit';

export type { RuleUnit };

export const RULES: readonly RuleUnit[] = [
  acrTagImmutability,
  ecrTagImmutability,
  garTagImmutability,
  harborTagImmutability,
  imageReferenceImmutable,
];
