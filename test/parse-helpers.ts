import type { ParseResult } from '../src/parse/hcl';
import { SourceFile, type Range, type Problem } from '../src/parse/source';
import type { ParsedFile } from '../src/parse/syntax';

type Parser = (source: SourceFile) => Promise<ParseResult>;

/** parse() expects a clean file, problems() a broken one, for one parser. */
export function parserFor(parser: Parser, file: string, badFile: string) {
  return {
    parse: async (text: string): Promise<ParsedFile> => {
      const result = await parser(new SourceFile(file, text));
      if (!result.ok) throw new Error(`unexpected syntax error: ${result.problems.map((p) => p.message).join('; ')}`);
      return result.file;
    },
    problems: async (text: string): Promise<Problem[]> => {
      const result = await parser(new SourceFile(badFile, text));
      if (result.ok) throw new Error('expected a syntax error');
      return result.problems;
    },
  };
}

/** The tree without ranges, for comparing structure. */
export function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'range' && k !== 'textRanges')
        .map(([k, v]) => [k, shape(v)]),
    );
  return value;
}

export const span = (r: Range) => [r.line, r.column, r.endLine, r.endColumn];
