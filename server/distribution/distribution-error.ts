import { CodedError } from '../../protocol/coded-error.js';

export const DISTRIBUTION_ERROR_CODES = {
  aws_failed: 'An AWS call (IVS, IVS real-time, CloudWatch) failed; the message names the operation, never a key.',
  bad_destination: 'The destination body is incomplete or contradictory.',
} as const;
export type DistributionErrorCode = keyof typeof DISTRIBUTION_ERROR_CODES;

export class DistributionError extends CodedError<DistributionErrorCode> {
  override readonly name = 'DistributionError';
}

/** An AWS error as text that is safe to log: its name and HTTP status, never the request. */
export { describeAwsError } from '../../protocol/aws-retry.js';
