import type { ScanResult } from '../scan/types';

/** What a formatter may need beyond the result. */
export interface FormatContext {
  /** ANSI colours: the report goes to a terminal and NO_COLOR is not set. */
  color: boolean;
  /** tagguard's version, for formats that name the tool. */
  version: string;
}

/** A report format: the scan's result in, the report's text out. */
export type Formatter = (result: ScanResult, context: FormatContext) => string;

/**
 * Every `--format`, by name. A format's module loads only when it is asked for (SARIF
 * brings the rule descriptors, JUnit an XML builder); adding a format is one file and
 * one line here.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const FORMATTERS = {
  text: (result, { color }) => (require('./text') as typeof import('./text')).formatText(result, { color }),
  json: (result) => (require('./json') as typeof import('./json')).formatJson(result),
  sarif: (result, { version }) => (require('./sarif') as typeof import('./sarif')).formatSarif(result, result.rules, version),
  junit: (result) => (require('./junit') as typeof import('./junit')).formatJunit(result),
  github: (result) => (require('./github') as typeof import('./github')).formatGithub(result),
  gitlab: (result) => (require('./gitlab') as typeof import('./gitlab')).formatGitlab(result),
} as const satisfies Record<string, Formatter>;
/* eslint-enable @typescript-eslint/no-require-imports */

export type FormatName = keyof typeof FORMATTERS;

/** The names `--format` accepts, in the order --help lists them. */
export const FORMAT_NAMES = Object.keys(FORMATTERS) as FormatName[];

export function formatter(name: FormatName): Formatter {
  return FORMATTERS[name];
}
