/**
 * A new sheet's Credit Desk ID (core/desk-id.ts): random, so two sheets never share one. Given to a sheet when
 * its Config tab is created, or by the first `usage collect` of a sheet made before IDs existed.
 */
import { randomUUID } from 'node:crypto';

export function newDeskId(): string {
  return `CD-${randomUUID()}`;
}
