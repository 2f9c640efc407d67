/**
 * A credit as the sheet holds it, and a credit as the CUR query returns it.
 */
import type { HoldFlag } from './flags';
import type { Minor } from './money';
import type { CREDIT_IDENTITY_FIELDS, CreditField, CreditFieldOfKind } from './sheet-contract';
import type { Status } from './status';

/** One row of the Credits tab, typed: a field per column of the contract (core/sheet-contract.ts), checked below. */
interface CreditCells {
  key: string;
  creditId: string;
  period: string; // YYYY-MM
  accountId: string; // AWS usage account (line_item_usage_account_id)
  payerAccountId: string;
  customerId: string;
  assetId: string;
  resellerId: string;
  service: string; // product code, e.g. AmazonEC2
  description: string;
  /** The credit's value, positive, in minor units. CUR stores it as a negative cost. */
  amount: Minor;
  currency: string;
  status: Status;
  /** The allocation in its text form (see core/allocation.ts); empty when nothing is assigned. */
  allocation: string;
  /** What stays with the distributor after the allocation, in minor units; null when unassigned. */
  distributorKeeps: Minor | null;
  /** The rule that produced the allocation: a Rule ID, `default`, `manual`, or empty. */
  ruleId: string;
  usageFileId: string;
  usageRecordId: string;
  processingDate: string; // YYYY-MM-DD
  flags: string;
  notes: string;
  lastChange: string; // ISO timestamp
}

type MoneyField = CreditFieldOfKind<'money'>;

/**
 * The contract's columns, exactly, each with the type of its kind (money in minor units, null when blank; every
 * other cell text): a column of CREDIT_COLUMNS with no field in CreditCells, a field with no column, or a field
 * of the wrong type for its column's kind fails to compile on the `Credit` line below, naming the field.
 */
type OneFieldPerColumn<
  T extends Record<MoneyField, Minor | null> &
    Record<Exclude<CreditField, MoneyField>, string> &
    Record<Exclude<keyof T, CreditField>, never>,
> = T;

/** One row of the Credits tab, typed. */
export type Credit = OneFieldPerColumn<CreditCells>;

/** The text fields of a credit that every view of it (export, Ledger, add-on) carries as they are. */
export type CreditIdentity = Pick<Credit, (typeof CREDIT_IDENTITY_FIELDS)[number]>;

/** The usage process's identifiers of a collected credit. */
export type UsageIds = Pick<Credit, 'usageFileId' | 'usageRecordId' | 'processingDate'>;

/** A credit no usage file holds: what it is before collection, and again after Connect rejects its file. */
export const NOT_COLLECTED: UsageIds = { usageFileId: '', usageRecordId: '', processingDate: '' };

/** The decision cells of a credit nobody has decided about yet: a new CUR credit, a correction. */
export const UNDECIDED = {
  status: 'PENDING_ASSIGN',
  allocation: '',
  distributorKeeps: null,
  ruleId: '',
  ...NOT_COLLECTED,
} as const satisfies Pick<Credit, 'status' | 'allocation' | 'distributorKeeps' | 'ruleId'> & UsageIds;

/** One credit as the source query returns it, already validated (see core/cur.ts). */
export interface CurCredit {
  period: string;
  payerAccountId: string;
  accountId: string;
  service: string;
  description: string;
  currency: string;
  /** Credit value in minor units: positive, except for a credit held as REVIEW_NOT_POSITIVE (core/flags.ts). */
  amount: Minor;
  /** The key it is filed under, when the reader computed it from the CUR's raw text (core/cur.ts). */
  key?: string;
  /** Why it is held for review, when it is (core/flags.ts): one entry per hold flag. */
  review?: { flag: HoldFlag; detail: string }[];
  /**
   * Every line is a credit (AWS Free Tier credits of 0.0007 USD exist), but they net to less than one minor unit:
   * imported with Amount 0.00 so the CUR total balances (the difference is in the rounding term), flagged
   * BELOW_MINOR_UNIT, never held and never billed.
   */
  belowMinorUnit?: boolean;
}

/** Rule IDs with a special meaning in the Rule column. */
export const RULE_DEFAULT = 'default';
export const RULE_MANUAL = 'manual';
