import { parseImageReference } from '../src/policy/image-reference';
import type { Range } from '../src/parse/source';
import type { TemplatePiece } from '../src/terraform/instances/module-tree';

// The image reference grammar of the distribution spec over a string's parts, some of
// them unknown before apply: what the name, tag and digest are, and where each is written.

const at = (line: number): Range => ({ file: 'main.tf', line, column: 1, endLine: line, endColumn: 2 });
const text = (value: string, line = 1): TemplatePiece => ({ known: true, value, location: at(line), trace: [] });
const later = (reason: string, line = 2, attribute?: string, derived = false): TemplatePiece => ({
  known: false,
  reason,
  location: at(line),
  trace: [],
  ...(attribute ? { refs: [{ address: 'aws_ecr_repository.api', attribute, ...(derived ? { derived } : {}) }] } : {}),
});
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('a known reference', () => {
  test.each([
    ['nginx', 'nginx', 'docker.io', 'library/nginx', 'latest', true],
    ['nginx:1.27', 'nginx', 'docker.io', 'library/nginx', '1.27', false],
    ['acme/api:v1', 'acme/api', 'docker.io', 'acme/api', 'v1', false],
    ['docker.io/library/nginx:1.27', 'docker.io/library/nginx', 'docker.io', 'library/nginx', '1.27', false],
    ['localhost/api', 'localhost/api', 'localhost', 'api', 'latest', true],
    ['localhost:5000/api', 'localhost:5000/api', 'localhost:5000', 'api', 'latest', true],
    ['localhost:5000/api:v2', 'localhost:5000/api', 'localhost:5000', 'api', 'v2', false],
    ['[::1]:5000/team/api:v2', '[::1]:5000/team/api', '[::1]:5000', 'team/api', 'v2', false],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v1.2.3',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'team/api',
      'v1.2.3',
      false,
    ],
  ])('%s: name %s, registry %s, repository %s, tag %s (implied: %s)', (image, value, registry, repository, tag, implied) => {
    expect(parseImageReference([text(image)])).toEqual({
      name: { known: true, value, registry, repository },
      tag: { known: true, value: tag, ...(implied ? { implied: true } : {}), location: at(1), trace: [] },
    });
  });

  test('a digest: no tag is implied, the digest is located', () => {
    expect(parseImageReference([text(`ghcr.io/acme/api@${DIGEST}`)])).toEqual({
      name: { known: true, value: 'ghcr.io/acme/api', registry: 'ghcr.io', repository: 'acme/api' },
      digest: { known: true, value: DIGEST, location: at(1), trace: [] },
    });
  });

  test('a tag and a digest: both are read', () => {
    const r = parseImageReference([text(`ghcr.io/acme/api:v1@${DIGEST}`)]);
    expect([r?.tag?.value, r?.digest?.value]).toEqual(['v1', DIGEST]);
  });

  test.each([
    ['Acme/API:v1', '"Acme" is not a valid path component (lower-case letters, digits and separators)'],
    ['nginx:-bad', '"-bad" is not a valid tag'],
    [`nginx:${'a'.repeat(129)}`, `"${'a'.repeat(129)}" is not a valid tag`],
    ['bad!.example.com/api:v1', '"bad!.example.com" is not a registry host'],
    ['bad host!/api:v1', '"bad host!" is not a valid path component (lower-case letters, digits and separators)'],
    ['', 'the image is empty'],
  ])('%j is not valid: %s', (image, why) => {
    expect(parseImageReference([text(image)])?.invalid).toBe(why);
  });

  test('a tag of 128 characters is valid', () => {
    expect(parseImageReference([text(`nginx:${'a'.repeat(128)}`)])?.invalid).toBeUndefined();
  });
});

describe('a reference with unknown parts', () => {
  test("a repository's address and a known tag: the name reads the repository, the tag is where it is written", () => {
    const r = parseImageReference([later('repository_url after apply', 2, 'repository_url'), text(':'), text('v1.2.3', 7)]);
    expect(r).toEqual({
      name: {
        known: false,
        reason: 'repository_url after apply',
        refs: [{ address: 'aws_ecr_repository.api', attribute: 'repository_url' }],
        prefix: '',
        suffix: '',
      },
      tag: { known: true, value: 'v1.2.3', location: at(7), trace: [] },
    });
  });

  test("a repository's address alone: no tag, so latest, at the address", () => {
    const r = parseImageReference([later('repository_url after apply', 2, 'repository_url')]);
    expect(r?.tag).toEqual({ known: true, value: 'latest', implied: true, location: at(2), trace: [] });
  });

  test('an unknown tag after the colon: the tag is unknown for its reason, where it is read', () => {
    const r = parseImageReference([later('repository_url after apply', 2, 'repository_url'), text(':'), later('var.tag has no value', 9)]);
    expect(r?.tag).toEqual({ known: false, reason: 'var.tag has no value', location: at(9), trace: [] });
  });

  test('an unknown digest is a digest: no tag is implied', () => {
    const r = parseImageReference([text('ghcr.io/acme/api@'), later('var.digest has no value', 4)]);
    expect(r?.tag).toBeUndefined();
    expect(r?.digest).toEqual({ known: false, reason: 'var.digest has no value', location: at(4), trace: [] });
  });

  test('an unknown value after the last slash may hold the tag: the tag is unknown, not latest', () => {
    const r = parseImageReference([text('ghcr.io/acme/'), later('var.image has no value', 3)]);
    expect(r?.tag).toMatchObject({ known: false, reason: 'var.image has no value' });
    expect(r?.name).toMatchObject({ known: false, prefix: 'ghcr.io/acme/', suffix: '' });
  });

  test('a value computed from a repository address is not one: it may hold a tag', () => {
    const r = parseImageReference([later('computed', 2, 'repository_url', true)]);
    expect(r).toBeUndefined();
  });

  test('a whole unknown image tells nothing of its shape', () => {
    expect(parseImageReference([later('var.image has no value')])).toBeUndefined();
  });

  test('a known tag after an unknown registry: the tag is known, the name is not', () => {
    const r = parseImageReference([later('var.registry has no value', 2), text('/api:'), text('main', 5)]);
    expect(r?.tag).toEqual({ known: true, value: 'main', location: at(5), trace: [] });
    expect(r?.name).toMatchObject({ known: false, prefix: '', suffix: '/api' });
  });
});
