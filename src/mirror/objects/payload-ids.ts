/** Payload id shapes shared by declarations. */
import { z } from 'zod';

/**
 * A bigint record id, as a number or a string of digits (host apps in other languages often
 * send 64-bit ids as strings); always handed on as a string.
 */
export const bigintId = z
  .union([z.int().positive(), z.string().regex(/^[1-9][0-9]{0,18}$/, 'a positive whole number')])
  .transform((id) => String(id));
