import { z } from 'zod';

/** The four LiteLLM roles. A user row with no role (or an unknown one) is treated as internal_user. */
export const ROLES = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** LiteLLM's user id for the master key and the UI admin login. */
export const PROXY_ADMIN_ID = 'default_user_id';

/**
 * Who is calling, as established once by the gateway and passed to services in a signed header.
 * `role: "unknown"` is a virtual key whose user_id has no user row: it may call LLM and info routes only.
 */
export const principalSchema = z.object({
  kind: z.enum(['master', 'key', 'session']),
  userId: z.string().nullable(),
  role: z.union([roleSchema, z.literal('unknown')]),
  /** sha256 of the virtual key used, when the caller used one. */
  keyHash: z.string().nullable(),
  teamId: z.string().nullable(),
  /** Session id when authenticated by the UI cookie. */
  sessionId: z.string().nullable(),
});
export type Principal = z.infer<typeof principalSchema>;

/** Name of the header carrying the signed principal from the gateway to services. */
export const PRINCIPAL_HEADER = 'x-llmgw-principal';

/**
 * The principal services use for their own calls to each other (cache fills, invalidations, cascades):
 * the proxy admin, like the master key.
 */
export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'master',
  userId: PROXY_ADMIN_ID,
  role: 'proxy_admin',
  keyHash: null,
  teamId: null,
  sessionId: null,
};
