import { isValidDuration } from '@llmgw/contracts';
import { z } from 'zod';

/** Field types shared by the identity routes. Limits follow ARCHITECTURE §7 (email 254, alias 256, 64 KB). */
export const id = z.string().trim().min(1).max(256);
export const email = z.string().trim().max(254).email();
export const alias = z.string().max(256);
export const money = z.number().finite().min(0);
export const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const duration = z
  .string()
  .max(32)
  .refine(isValidDuration, 'must be a duration like 30s, 5m, 24h, 7d, 2w or 1mo');
export const stringList = z.array(z.string().max(256)).max(1000);
export const dict = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 65_536, 'must be under 64 KB');
export const aliasMap = z
  .record(z.string().max(256), z.string().max(256))
  .refine((v) => Object.keys(v).length <= 1000, 'must have at most 1000 entries');
export const teamRole = z.enum(['admin', 'user']);
