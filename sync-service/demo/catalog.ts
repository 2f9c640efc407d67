/**
 * The fixed vocabulary of the demo CUR: products, regions, line types and the credit programmes AWS really
 * runs. Pure data, so the generator's SQL and the sample rules can agree on the same names.
 */

export interface Product {
  productCode: string;
  serviceCode: string;
  usageDescription: string;
}

export const PRODUCTS: readonly Product[] = [
  {
    productCode: 'AmazonEC2',
    serviceCode: 'AmazonEC2',
    usageDescription: '$0.0416 per On Demand Linux t3.medium Instance Hour',
  },
  {
    productCode: 'AmazonS3',
    serviceCode: 'AmazonS3',
    usageDescription: '$0.023 per GB - first 50 TB / month of storage used',
  },
  {
    productCode: 'AmazonRDS',
    serviceCode: 'AmazonRDS',
    usageDescription: '$0.171 per RDS db.m5.large Multi-AZ instance hour (or partial hour) running MySQL',
  },
  {
    productCode: 'AWSLambda',
    serviceCode: 'AWSLambda',
    usageDescription: 'AWS Lambda - Total Compute - EU (Ireland)',
  },
  {
    productCode: 'AmazonCloudFront',
    serviceCode: 'AmazonCloudFront',
    usageDescription: '$0.085 per GB - first 10 TB / month data transfer out',
  },
  {
    productCode: 'AmazonDynamoDB',
    serviceCode: 'AmazonDynamoDB',
    usageDescription: '$0.25 per million read request units',
  },
  { productCode: 'AmazonEKS', serviceCode: 'AmazonEKS', usageDescription: 'Amazon EKS cluster usage' },
  {
    productCode: 'AmazonSageMaker',
    serviceCode: 'AmazonSageMaker',
    usageDescription: '$0.23 per ml.m5.large hour in Notebook Instances',
  },
  {
    productCode: 'AWSDataTransfer',
    serviceCode: 'AWSDataTransfer',
    usageDescription: '$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier',
  },
  {
    productCode: 'AWSSupportBusiness',
    serviceCode: 'AWSSupportBusiness',
    usageDescription: 'AWS Support (Business)',
  },
];

/** Products that credits are spread over (support credits go to the support product on their own). */
export const CREDIT_PRODUCTS: readonly string[] = [
  'AmazonEC2',
  'AmazonS3',
  'AmazonRDS',
  'AWSLambda',
  'AmazonSageMaker',
  'AmazonDynamoDB',
];
export const SUPPORT_PRODUCT = 'AWSSupportBusiness';

export const REGIONS: readonly string[] = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-northeast-1',
  'global',
];

/** A credit programme as its description appears in line_item_line_item_description. */
export interface CreditProgramme {
  description: string;
  /** Relative frequency among the accounts' grants. */
  weight: number;
  /** Credits of this programme land on the support product only. */
  supportOnly?: boolean;
}

export const CREDIT_PROGRAMMES: readonly CreditProgramme[] = [
  { description: 'AWS Promotional Credit', weight: 6 },
  { description: 'MAP 2.0 Migration Credit - MPE12345', weight: 3 },
  { description: 'MAP 2.0 Migration Credit - MPE67890', weight: 2 },
  { description: 'AWS Activate Credit', weight: 3 },
  { description: 'AWS Support (Business) Credit', weight: 2, supportOnly: true },
  { description: 'Solution Provider Program Credit', weight: 2 },
  { description: 'AWS Credit - re:Invent 2026 Builder Session', weight: 1 },
  { description: 'AWS Credit - re:Invent 2025 GameDay', weight: 1 },
];

/**
 * Descriptions that exercise text safety downstream: non-Latin scripts and strings a spreadsheet or CSV
 * would take for a formula. Each is given to one account on purpose, so every demo data set has them.
 */
export const AWKWARD_CREDIT_DESCRIPTIONS: readonly string[] = [
  'AWS クレジット - スタートアップ支援',
  'Кредит AWS — пилотный проект',
  '=HYPERLINK("http://x","AWS Credit")',
  '+Credit adjustment Q3',
];

/**
 * Line item types with their share of lines (per 10,000), the sign and size of their cost, and their
 * description (`$product` stands for the line's product code). Usage takes what is left. Credits are ~3 %,
 * as in a distributor's real CUR; their description is the credit programme's.
 */
export interface LineTypeShare {
  type: string;
  per10k: number;
  sign: 1 | -1;
  /** The cost is drawn uniformly in (0, maxCost] with `decimals` decimals. */
  maxCost: number;
  decimals: number;
  description: string;
}

export const LINE_TYPE_SHARES: readonly LineTypeShare[] = [
  { type: 'Credit', per10k: 300, sign: -1, maxCost: 500, decimals: 10, description: '' },
  {
    type: 'Tax',
    per10k: 200,
    sign: 1,
    maxCost: 5,
    decimals: 8,
    description: 'Tax for product code $product',
  },
  {
    type: 'Fee',
    per10k: 50,
    sign: 1,
    maxCost: 2000,
    decimals: 2,
    description: 'AWS Support (Business) fee for $product',
  },
  {
    type: 'Refund',
    per10k: 50,
    sign: -1,
    maxCost: 200,
    decimals: 2,
    description: 'Refund for $product usage',
  },
  {
    type: 'DiscountedUsage',
    per10k: 400,
    sign: 1,
    maxCost: 20,
    decimals: 8,
    description: 'Reserved instance applied usage ($product)',
  },
  {
    type: 'SavingsPlanCoveredUsage',
    per10k: 400,
    sign: 1,
    maxCost: 20,
    decimals: 8,
    description: 'Compute Savings Plan covered usage ($product)',
  },
  {
    type: 'SavingsPlanNegation',
    per10k: 200,
    sign: -1,
    maxCost: 20,
    decimals: 8,
    description: 'SavingsPlanNegation used by $product',
  },
  {
    type: 'EdpDiscount',
    per10k: 300,
    sign: -1,
    maxCost: 2,
    decimals: 8,
    description: 'Enterprise Discount Program Discount',
  },
  {
    type: 'BundledDiscount',
    per10k: 100,
    sign: -1,
    maxCost: 1,
    decimals: 8,
    description: 'Free Tier bundled discount ($product)',
  },
];

/** Usage lines: everything not taken by the shares above. */
export const USAGE_LINE: LineTypeShare = {
  type: 'Usage',
  per10k: 0,
  sign: 1,
  maxCost: 20,
  decimals: 8,
  description: '',
};
