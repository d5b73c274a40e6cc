import { TAG } from './image-config';
import type { TemplatePiece } from '../terraform/instances/module-tree';
import type { ResourceRef } from '../terraform/eval/value';

/**
 * An image reference as the distribution spec reads it (name, `:tag`, `@digest`), from the
 * parts of a string that may hold unknown values: `"${aws_ecr_repository.api.repository_url}:${var.tag}"`
 * is a name read from a repository and a tag read from a variable. Each part says where it is
 * written, so a finding points at the tag's literal.
 */
export interface ImageReference {
  name: NamePart;
  tag?: Part & { implied?: boolean };
  digest?: Part;
  /** Why a known reference is not one the grammar accepts. */
  invalid?: string;
}

/** A part of the reference: known text, or the unknown value it holds, where it is written. */
export type Part = TemplatePiece;

export type NamePart =
  | { known: true; value: string; registry: string; repository: string }
  | { known: false; reason: string; refs: ResourceRef[]; prefix: string; suffix: string };

/** Attributes that hold a repository's address without a tag: a part reading one holds no `:` or `@`. */
const REPOSITORY_ADDRESSES = new Set(['repository_url', 'registry_uri']);

/** Docker Hub's names (distribution/reference: defaultDomain and legacyDefaultDomain). */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io']);

/** distribution/reference: path components, a tag, a digest. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** A character of the text, or an unknown part (which holds any text). */
type Cell = { char: string; piece: number } | { unknown: TemplatePiece; piece: number };

/** Longer than any registry accepts (a name is at most 255 characters, a tag 128, a digest 135): not parsed. */
const MAX_REFERENCE = 1024;

/** The name of a reference that has none (empty, too long, not a string). */
export const EMPTY_NAME = { known: true, value: '', registry: '', repository: '' } as const;

export function parseImageReference(pieces: TemplatePiece[]): ImageReference | undefined {
  const length = pieces.reduce((n, p) => n + (p.value?.length ?? 0), 0);
  if (length > MAX_REFERENCE) return { name: EMPTY_NAME, invalid: `the image is ${length} characters long, longer than any reference` };
  const cells: Cell[] = [];
  pieces.forEach((p, piece) => {
    if (p.known) for (const char of p.value ?? '') cells.push({ char, piece });
    else cells.push({ unknown: p, piece });
  });
  if (!cells.length) return { name: EMPTY_NAME, invalid: 'the image is empty' };
  // Nothing known: the whole reference is one unknown value, unless it is a repository's address.
  if (cells.every((c) => 'unknown' in c) && !cells.some((c) => 'unknown' in c && isRepositoryAddress(c.unknown))) return undefined;

  const at = cells.findIndex((c) => 'char' in c && c.char === '@');
  const named = at < 0 ? cells : cells.slice(0, at);
  const digest = at < 0 ? undefined : part(cells.slice(at + 1), pieces);
  // The tag starts after the last ':' that no '/' follows; an unknown part after the last '/' may hold it.
  let sep = -1;
  let open = false;
  for (let i = named.length - 1; i >= 0; i--) {
    const c = named[i];
    if ('unknown' in c) {
      if (isRepositoryAddress(c.unknown)) break;
      open = true;
      continue;
    }
    if (c.char === '/') break;
    if (c.char === ':') {
      sep = i;
      break;
    }
  }
  const nameCells = sep < 0 ? named : named.slice(0, sep);
  const name = namePart(nameCells);
  let tag: ImageReference['tag'];
  if (sep >= 0) tag = part(named.slice(sep + 1), pieces);
  else if (open) {
    // open: an unknown part follows the last '/', and it may hold the tag.
    const u = named.flatMap((c) => ('unknown' in c ? [c.unknown] : [])).at(-1);
    tag = { known: false, reason: u?.reason ?? 'unknown', ...refsOf(u ? [u] : []), location: u?.location, trace: u?.trace ?? [] };
  } else if (!digest) {
    const last = pieceAt(pieces, nameCells.at(-1)?.piece ?? pieces.length - 1);
    tag = { known: true, value: 'latest', implied: true, location: last?.location, trace: last?.trace ?? [] };
  }
  const reference: ImageReference = { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
  const invalid = whyInvalid(reference);
  return invalid ? { ...reference, invalid } : reference;
}

/** The piece at an index; undefined past the end. */
const pieceAt = (pieces: TemplatePiece[], i: number): TemplatePiece | undefined => pieces.at(i);

function isRepositoryAddress(p: TemplatePiece): boolean {
  return (p.refs ?? []).some((r) => !r.derived && r.attribute !== undefined && REPOSITORY_ADDRESSES.has(r.attribute));
}

function refsOf(list: TemplatePiece[]): { refs?: ResourceRef[] } {
  const refs = list.flatMap((p) => p.refs ?? []);
  return refs.length ? { refs } : {};
}

/** The cells as one part: its text when known, else the first unknown's reason; placed at its first piece. */
function part(cells: Cell[], pieces: TemplatePiece[]): Part {
  const first = pieceAt(pieces, cells.at(0)?.piece ?? pieces.length - 1);
  const unknowns = cells.flatMap((c) => ('unknown' in c ? [c.unknown] : []));
  if (unknowns.length) {
    const u = unknowns[0];
    return { known: false, reason: u.reason ?? 'unknown', ...refsOf(unknowns), location: u.location, trace: u.trace };
  }
  return {
    known: true,
    value: cells.map((c) => ('char' in c ? c.char : '')).join(''),
    location: first?.location,
    trace: first?.trace ?? [],
  };
}

function namePart(cells: Cell[]): NamePart {
  const unknowns = cells.flatMap((c) => ('unknown' in c ? [c.unknown] : []));
  const text = (list: Cell[]) => list.map((c) => ('char' in c ? c.char : '')).join('');
  if (unknowns.length) {
    const first = cells.findIndex((c) => 'unknown' in c);
    const last = cells.findLastIndex((c) => 'unknown' in c);
    return {
      known: false,
      reason: unknowns[0].reason ?? 'unknown',
      // Two unknown parts make a name computed from each: neither is the repository's address alone.
      refs: unknowns.flatMap((u) => (u.refs ?? []).map((r) => (unknowns.length > 1 ? { ...r, derived: true } : r))),
      prefix: text(cells.slice(0, first)),
      suffix: text(cells.slice(last + 1)),
    };
  }
  const value = text(cells);
  const slash = value.indexOf('/');
  const head = slash < 0 ? '' : value.slice(0, slash);
  // distribution/reference: the first component is a registry when it looks like a host.
  if (head && (head.includes('.') || head.includes(':') || head === 'localhost')) {
    const path = value.slice(slash + 1);
    // distribution/reference normalizes Docker Hub: index.docker.io is docker.io, and a
    // one-component path there is an official image (docker.io/nginx is docker.io/library/nginx).
    if (DOCKER_HUB.has(head))
      return { known: true, value, registry: 'docker.io', repository: path.includes('/') ? path : `library/${path}` };
    return { known: true, value, registry: head, repository: path };
  }
  return { known: true, value, registry: 'docker.io', repository: slash < 0 ? `library/${value}` : value };
}

function whyInvalid(r: ImageReference): string | undefined {
  if (r.name.known) {
    if (!r.name.value) return 'the image has no name';
    if (r.name.registry !== 'docker.io' && !HOST.test(r.name.registry)) return `"${r.name.registry}" is not a registry host`;
    const bad = r.name.repository.split('/').find((c) => !COMPONENT.test(c));
    if (bad !== undefined) return `"${bad}" is not a valid path component (lower-case letters, digits and separators)`;
  }
  if (r.tag?.known && !r.tag.implied && !TAG.test(r.tag.value ?? '')) return `"${r.tag.value}" is not a valid tag`;
  // A digest is judged by the policy (invalid_digest), at the digest.
  return undefined;
}
