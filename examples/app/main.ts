// An example CDKTF app: a registry whose repositories cannot have their tags overwritten.
// `npx cdktf synth` builds it (no Terraform binary needed); `npx tagguard scan cdktf.out` checks the result.
import { App } from 'cdktf';
import { CompliantEcrStack } from 'tagguard/cdktf';

const app = new App();

new CompliantEcrStack(app, 'registry', {
  region: 'eu-west-1',
  repositories: [
    { name: 'shop/api', lifecycle: { keepLastTagged: 50 } },
    // `latest` may still move; every release tag is immutable.
    { name: 'shop/web', mutableTags: ['latest'] },
  ],
  creationTemplates: [{ prefix: 'docker-hub', appliedFor: ['PULL_THROUGH_CACHE'], description: 'Images cached from Docker Hub' }],
  lifecycle: { expireUntaggedAfterDays: 14 },
});

app.synth();
