/**
 * The least IAM a sync needs to read credits through Athena, with placeholders in <angle brackets> (docs/operations.md
 * and `credit-desk` print it). Athena reads the CUR through Glue and S3 with the caller's permissions, and
 * writes results to S3 unless the workgroup uses managed results (then the last three statements can go: the
 * sync then pages through GetQueryResults).
 */
export const IAM_POLICY_PLACEHOLDERS = [
  '<region>',
  '<account-id>',
  '<workgroup>',
  '<database>',
  '<table>',
  '<cur-bucket>',
  '<cur-prefix>',
  '<results-bucket>',
  '<results-prefix>',
] as const;

export const LEAST_PRIVILEGE_IAM_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'RunCreditQueries',
      Effect: 'Allow',
      Action: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'athena:GetWorkGroup',
      ],
      Resource: 'arn:aws:athena:<region>:<account-id>:workgroup/<workgroup>',
    },
    {
      Sid: 'ReadCurTableDefinition',
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions', 'glue:GetPartition'],
      Resource: [
        'arn:aws:glue:<region>:<account-id>:catalog',
        'arn:aws:glue:<region>:<account-id>:database/<database>',
        'arn:aws:glue:<region>:<account-id>:table/<database>/<table>',
      ],
    },
    {
      Sid: 'ListCurFiles',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: 'arn:aws:s3:::<cur-bucket>',
      Condition: { StringLike: { 's3:prefix': ['<cur-prefix>/*', '<cur-prefix>'] } },
    },
    {
      Sid: 'ReadCurFiles',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: 'arn:aws:s3:::<cur-bucket>/<cur-prefix>/*',
    },
    {
      Sid: 'QueryResultsBucket',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:ListBucket'],
      Resource: 'arn:aws:s3:::<results-bucket>',
    },
    {
      // Athena writes each result with the caller's rights.
      Sid: 'WriteQueryResults',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: 'arn:aws:s3:::<results-bucket>/<results-prefix>/*',
    },
    {
      // GetQueryResults reads the result with the caller's rights, and the sync reads a big result's
      // <query-id>.csv itself in one request (athena-result-file.ts). On the result prefix only: with
      // s3:GetObject an identity can read any result there, even without athena:GetQueryResults (Athena
      // User Guide, "Work with query results and recent queries").
      Sid: 'ReadQueryResultFiles',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: 'arn:aws:s3:::<results-bucket>/<results-prefix>/*',
    },
  ],
} as const;

/** The policy with its placeholders filled in, as pretty JSON; placeholders without a value stay visible. */
export function renderIamPolicy(
  values: Partial<Record<(typeof IAM_POLICY_PLACEHOLDERS)[number], string>>,
): string {
  let json = JSON.stringify(LEAST_PRIVILEGE_IAM_POLICY, null, 2);
  for (const [placeholder, value] of Object.entries(values)) {
    if (value !== undefined) json = json.split(placeholder).join(JSON.stringify(value).slice(1, -1));
  }
  return json;
}
