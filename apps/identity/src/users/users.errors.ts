import { maskUserId } from '@llmgw/auth';
import type { Principal } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';
import { forbidden, wrappedDetail } from '../lib/errors';

/** Every error of the user routes, worded as LiteLLM words it (wire contract §1.1). */
export const userErrors = {
  duplicateEmail: (email: string) => wrappedDetail(400, { error: `User with email ${email} already exists` }),
  notFound: (userId: string | null) =>
    new ProxyError({
      status: 404,
      message: `User ${userId ?? 'None'} not found`,
      type: 'not_found_error',
      param: 'user_id',
    }),
  deleteNotFound: (userId: string) =>
    wrappedDetail(404, { error: `User not found, passed user_id=${userId}` }),
  otherUsersInfo: (asked: string, principal: Principal) =>
    forbidden(
      `key not allowed to access this user's info. user_id=${asked}, key's user_id=${principal.userId ?? 'None'}`,
    ),
  otherUserUpdate: (asked: string, principal: Principal, field: 'user_id' | 'user_email') =>
    forbidden(
      `key not allowed to update this user's info. ${field}=${asked}, key's user_id=${principal.userId ?? 'None'}`,
      field,
    ),
  /** A non-admin sent an admin-only field to /user/update (checked per field, named in the message). */
  adminOnlyField: (principal: Principal, field: string) =>
    forbidden(
      `user not allowed to access this route, role= ${principal.role}. Trying to access: /user/update and updating invalid param: ${field}. only user_email, password and user_alias can be updated`,
      field,
    ),
  noUser: (principal: Principal) =>
    forbidden(
      `Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/user/update. Your role=${principal.role}. Your user_id=${maskUserId(principal.userId)}`,
    ),
};
