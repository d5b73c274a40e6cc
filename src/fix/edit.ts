/** A replacement of the text between two offsets of a file. */
export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

/** The edits of one fix, or why it is left to a person. */
export type EditsOrReason = Edit[] | string;

/** All the edits, or the first reason one of them cannot be made. */
export function combine(parts: EditsOrReason[]): EditsOrReason {
  const failed = parts.find((p): p is string => typeof p === 'string');
  return failed ?? (parts as Edit[][]).flat();
}

/** The same edit planned twice (two findings of one resource) is made once. */
export function dedupe(edits: Edit[]): Edit[] {
  const seen = new Map<string, Edit>();
  for (const e of edits) seen.set(`${e.file}\u0000${e.start}\u0000${e.end}\u0000${e.text}`, e);
  return [...seen.values()];
}
