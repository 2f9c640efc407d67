/** The shapes of an allocation: as typed (spec), for one credit (resolved), and as scripts see it (JSON). */
import type { Minor } from '../money';

export type Role = 'customer' | 'reseller';

/** One share as typed: to the credit's own customer/reseller (targetId null) or to an explicit ID. */
export interface ShareSpec {
  role: Role;
  /** null = the credit's own customer (or reseller). */
  targetId: string | null;
  /** Hundredths of a percent (basis points): 60% = 6000, 12.5% = 1250. Exactly one of percentBp / amount is set. */
  percentBp?: number;
  /** A fixed amount in minor units of the credit's currency. */
  amount?: Minor;
}

export interface AllocationSpec {
  shares: ShareSpec[];
}

export interface AllocationContext {
  creditId: string;
  amount: Minor;
  currency: string;
  /** The credit's own customer and reseller (from Accounts); '' when unknown. */
  customerId: string;
  resellerId: string;
  /** When given, explicit target IDs must be in these sets. */
  knownCustomers?: ReadonlySet<string>;
  knownResellers?: ReadonlySet<string>;
  /**
   * A correction credit (core/correction.ts): a negative amount takes back what its original passed on, so the
   * allocation is resolved for the amount's absolute value and every line negated (docs/decisions/0006).
   * Without it a negative amount is refused.
   */
  billsBack?: boolean;
}

export interface AllocationLine {
  role: Role | 'distributor';
  /** The resolved customer/reseller ID; '' on the distributor line. */
  targetId: string;
  /** Basis points for percent shares, null for fixed amounts and for the distributor line. */
  percentBp: number | null;
  amount: Minor;
}

export interface ResolvedAllocation {
  /** Customer/reseller lines in the typed order, then one distributor line (possibly 0). Amounts add up to the credit exactly. */
  lines: AllocationLine[];
  distributorKeeps: Minor;
}

/** A resolved line as the scripting contract and the sidebar show it (see addon/api.ts AllocationLineView). */
export interface AllocationLineJson {
  role: Role | 'distributor';
  targetId: string;
  /** "60" or "12.5"; null for fixed amounts and the distributor line. */
  percent: string | null;
  /** Decimal string in the credit's currency, e.g. "60.00". */
  amount: string;
}
