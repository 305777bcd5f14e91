/** Payload id shapes shared by declarations: what Postgres's own types accept, and nothing else. */
import { z } from 'zod';

/** Postgres's bigint ceiling: a larger id fails the query that reads the record. */
const bigintMax = 9223372036854775807n;

/**
 * A bigint record id, as a number or a string of digits (host apps in other languages often
 * send 64-bit ids as strings), within Postgres's bigint range; always handed on as a string.
 */
export const bigintId = z
  .union([z.int().positive(), z.string().regex(/^[1-9][0-9]{0,18}$/, 'a positive whole number of at most 19 digits')])
  // Only digits reach BigInt: the check also runs on a value the union already refused.
  .refine((id) => !/^[0-9]{1,19}$/.test(String(id)) || BigInt(id) <= bigintMax, `a whole number no larger than ${bigintMax} (Postgres bigint)`)
  .transform((id) => String(id));

/**
 * A uuid record id. Any 8-4-4-4-12 hex id is accepted, as Postgres's uuid type accepts it (ids
 * made by md5() or other tools need not carry an RFC version); handed on in lower case, as
 * Postgres prints it, so one record always has one key.
 */
export const uuidId = z
  .guid('a uuid such as 6a228ff8-1b2c-4d3e-8f90-a1b2c3d4e5f6')
  .transform((id) => id.toLowerCase());
