/** The global teardown of the `integration` project: removes the test policies its setup compiled. */
import { SETUP_ENV } from './integration-setup';
import { removeTree } from './run-setup';

export default function globalTeardown(): void {
  const policies = process.env[SETUP_ENV.policies];
  if (policies) removeTree(policies);
}
