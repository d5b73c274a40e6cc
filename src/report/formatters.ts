import { lazy } from '../lazy';
import type { ScanResult } from '../scan/types';

/** What a formatter may need beyond the result. */
export interface FormatContext {
  /** ANSI colours: the report goes to a terminal and NO_COLOR is not set. */
  color: boolean;
  /** tagguard's version, for formats that name the tool. */
  version: string;
  /** Findings and input errors only: the text report leaves out its summary line (--quiet). */
  quiet?: boolean;
}

/** A report format: the scan's result in, the report's text out. */
export type Formatter = (result: ScanResult, context: FormatContext) => string;

/**
 * Every `--format`, by name. A format's module loads only when it is asked for (SARIF
 * brings the rule descriptors, JUnit an XML builder); adding a format is one file and
 * one line here.
 */
const loadText = lazy<typeof import('./text')>(require, './text');
const loadJson = lazy<typeof import('./json')>(require, './json');
const loadSarif = lazy<typeof import('./sarif')>(require, './sarif');
const loadJunit = lazy<typeof import('./junit')>(require, './junit');
const loadGithub = lazy<typeof import('./github')>(require, './github');
const loadGitlab = lazy<typeof import('./gitlab')>(require, './gitlab');
const loadMarkdown = lazy<typeof import('./markdown')>(require, './markdown');

const FORMATTERS = {
  text: (result, { color, quiet }) => loadText().formatText(result, { color, quiet }),
  json: (result) => loadJson().formatJson(result),
  sarif: (result, { version }) => loadSarif().formatSarif(result, result.rules, version),
  junit: (result) => loadJunit().formatJunit(result),
  github: (result) => loadGithub().formatGithub(result),
  gitlab: (result) => loadGitlab().formatGitlab(result),
  markdown: (result) => loadMarkdown().formatMarkdown(result),
} as const satisfies Record<string, Formatter>;

export type FormatName = keyof typeof FORMATTERS;

/** The names `--format` accepts, in the order --help lists them. */
export const FORMAT_NAMES = Object.keys(FORMATTERS) as FormatName[];

export function formatter(name: FormatName): Formatter {
  return FORMATTERS[name];
}
