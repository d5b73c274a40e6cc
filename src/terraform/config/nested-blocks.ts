/**
 * The nested block types of each resource type, as the rules declare them (METADATA
 * `custom.nested_blocks`). HCL marks blocks in its syntax; Terraform JSON and plans
 * write a block as an object or a list of objects, so only this table tells a block
 * from an attribute there. An HCL block of a type not listed is not read.
 */
export type NestedBlocks = ReadonlyMap<string, ReadonlySet<string>>;

const NONE: ReadonlySet<string> = new Set();

/** The nested block types of one resource type; none when no rule declares any. */
export function nestedBlocksOf(table: NestedBlocks, type: string): ReadonlySet<string> {
  return table.get(type) ?? NONE;
}
