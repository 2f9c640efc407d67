/** `credit-desk iam-policy`: the least IAM policy the Athena sync needs. */
import { Command } from 'commander';

export function iamPolicyCommand(): Command {
  return new Command('iam-policy')
    .description('print the least IAM policy the Athena sync needs (fill in the ARNs)')
    .action(() => {
      const {
        LEAST_PRIVILEGE_IAM_POLICY,
      }: typeof import('../../sources/athena-policy') = require('../../sources/athena-policy');
      console.log(JSON.stringify(LEAST_PRIVILEGE_IAM_POLICY, null, 2));
    });
}
