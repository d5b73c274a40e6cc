import { TerraformResource, TerraformStack, Testing } from 'cdktf';
import { TagguardAspect, type TagguardAspectProps } from '../src/cdktf/aspect';
import * as enforce from '../src/cdktf/enforce';
import { DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, policyInput } from '../src/policy/input';
import { DEFAULT_POLICY, tempDir } from './helpers';

// The settings image-reference-immutable reads from input.config: moving_tags and unseen_registry.
const MOVING = ['latest', 'stable', 'main', 'master', 'dev', 'edge', 'nightly'];

describe('the policy input config', () => {
  test('the defaults', () => {
    expect([DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY]).toEqual([MOVING, 'warning']);
    expect(policyInput([], DEFAULT_POLICY).config).toEqual({
      allowed_mutable_tags: ['latest'],
      unknown: 'warn',
      moving_tags: MOVING,
      unseen_registry: 'warning',
    });
  });

  test('moving_tags and unseen_registry as given', () => {
    const config = policyInput([], { ...DEFAULT_POLICY, movingTags: ['prod', 'v1.*'], unseenRegistry: 'ignore', unknown: 'error' }).config;
    expect(config).toEqual({
      allowed_mutable_tags: ['latest'],
      unknown: 'error',
      moving_tags: ['prod', 'v1.*'],
      unseen_registry: 'ignore',
    });
  });
});

describe('the CDKTF aspect: movingTags and unseenRegistry reach the input config', () => {
  /** The config of each input the aspect builds for one aws_ecr_repository. */
  const configs = (props: TagguardAspectProps) => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    const repo = new TerraformResource(stack, 'repo', { terraformResourceType: 'aws_ecr_repository' });
    repo.addOverride('image_tag_mutability', 'IMMUTABLE');
    const spy = jest.spyOn(enforce, 'constructInput');
    try {
      new TagguardAspect(props).visit(repo);
      return spy.mock.results.map((r) => (r.value as ReturnType<typeof enforce.constructInput>).config);
    } finally {
      spy.mockRestore();
    }
  };

  test('by default, the defaults of tagguard scan', () => {
    expect(configs({})).toEqual([{ allowed_mutable_tags: ['latest'], unknown: 'warn', moving_tags: MOVING, unseen_registry: 'warning' }]);
  });

  test('as given', () => {
    expect(configs({ movingTags: ['prod'], unseenRegistry: 'error', allowedMutableTags: ['dev-*'] })).toEqual([
      { allowed_mutable_tags: ['dev-*'], unknown: 'warn', moving_tags: ['prod'], unseen_registry: 'error' },
    ]);
    expect(configs({ movingTags: [], unseenRegistry: 'ignore' })).toEqual([
      { allowed_mutable_tags: ['latest'], unknown: 'warn', moving_tags: [], unseen_registry: 'ignore' },
    ]);
  });

  test('an empty tag or another severity, from an untyped caller, fails the construct', () => {
    expect(() => new TagguardAspect({ movingTags: ['prod', ''] })).toThrow('movingTags: a tag is not empty');
    expect(() => new TagguardAspect({ unseenRegistry: 'fatal' } as unknown as TagguardAspectProps)).toThrow(
      'unseenRegistry "fatal": must be one of error, warning, note, ignore',
    );
  });
});
