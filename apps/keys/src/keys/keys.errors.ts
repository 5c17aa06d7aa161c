import { authError, ProxyError } from '@llmgw/http';

/** Python's repr of `{'error': msg}`, which LiteLLM sends as the message of dict-detail HTTPExceptions. */
export const pyErrorDict = (msg: string) =>
  msg.includes("'") && !msg.includes('"') ? `{'error': "${msg}"}` : `{'error': '${msg}'}`;

/**
 * A raw key never comes back in a response (not even to its sender): it is shown as `sk-...` + last 4.
 * Hashes are not secret and are shown whole.
 */
export const displayKey = (key: string) => (key.startsWith('sk-') ? `sk-...${key.slice(-4)}` : key);

/**
 * LiteLLM's `handle_exception_on_proxy` shape for HTTPExceptions raised by key handlers: the detail as
 * message, type internal_server_error, param "None".
 */
const handlerError = (status: number, message: string) =>
  new ProxyError({ status, message, type: 'internal_server_error', param: 'None' });

/** /key/update maps its errors to type auth_error instead (wire contract §0.2). */
const updateError = (status: number, message: string) =>
  new ProxyError({ status, message, type: 'auth_error', param: 'None' });

/** Every error the keys routes answer with, worded and typed as LiteLLM does (wire contract §1.2). */
export const keyErrors = {
  invalidCustomKey: (key: string) =>
    new ProxyError({
      status: 400,
      message: `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${key.slice(0, 3)}...`,
      type: 'bad_request_error',
      param: 'key',
    }),
  aliasTaken: (alias: string) =>
    new ProxyError({
      status: 400,
      message: `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`,
      type: 'bad_request_error',
      param: 'key_alias',
    }),
  keyTaken: () =>
    new ProxyError({
      status: 400,
      message: 'this key already exists',
      type: 'bad_request_error',
      param: 'key',
    }),
  onlyOwnKeys: (given: string, own: string | null) =>
    new ProxyError({
      status: 403,
      message: `User can only create keys for themselves. Got user_id=${given}, Your ID=${own ?? 'None'}`,
      type: 'auth_error',
      param: 'user_id',
    }),
  viewerDenied: (role: string, route: string) =>
    new ProxyError({
      status: 403,
      message: `user not allowed to access this route, role= ${role}. Trying to access: ${route}`,
      type: 'auth_error',
      param: 'None',
    }),
  routeDenied: authError,
  /** Block/unblock are admin-only here (ARCHITECTURE §5), where LiteLLM lets any internal user call them. */
  adminOnly: (route: string, role: string) =>
    authError(`Only proxy admin can block or unblock keys. Route=${route}. Your role=${role}`, 403),

  teamNotFound: (teamId: string) =>
    handlerError(
      400,
      `Team not found for team_id=${teamId}. Non-admin users cannot create keys for non-existent teams.`,
    ),
  notInTeam: (userId: string | null, teamId: string) =>
    handlerError(400, `User=${userId ?? 'None'} not assigned to team=${teamId}`),
  teamMemberPermission: (route: string, permissions: string[], teamId: string) =>
    new ProxyError({
      status: 401,
      message: `Team member does not have permissions for endpoint: ${route}. You only have access to the following endpoints: [${permissions.map((p) => `'${p}'`).join(', ')}] for team ${teamId}. To create keys for this team, please ask your proxy admin to check the team member permission settings and update the settings to allow team member users to create keys.`,
      type: 'team_member_permission_error',
      param: route,
    }),

  /** /key/update */
  updateUnknownKey: (hash: string) =>
    updateError(
      401,
      `Authentication Error: invalid user key - user key does not exist in db. User Key=${hash}`,
    ),
  updateNotAllowed: () => updateError(403, pyErrorDict('You are not authorized to update this key')),
  updateOwnerChange: (caller: string | null, hash: string, target: string) =>
    updateError(
      403,
      `User=${caller ?? 'None'} is not allowed to update key=${hash} to belong to user=${target}`,
    ),
  updateAliasTaken: (alias: string) =>
    new ProxyError({
      status: 400,
      message: `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`,
      type: 'bad_request_error',
      param: 'key_alias',
    }),

  /** /key/delete */
  noKeysFound: () => handlerError(404, pyErrorDict('No keys found')),
  deleteNotAllowed: () => handlerError(403, pyErrorDict('You are not authorized to delete this key')),

  /** /key/regenerate */
  noKeyPassed: () => handlerError(400, pyErrorDict('No key passed in.')),
  regenerateUnknownKey: (key: string) => handlerError(404, pyErrorDict(`Key ${displayKey(key)} not found.`)),
  regenerateNotAllowed: () => handlerError(403, pyErrorDict('You are not authorized to regenerate this key')),
  invalidNewKey: () =>
    handlerError(
      400,
      pyErrorDict(
        "New key must start with 'sk-'. This is to distinguish a key hash (used by litellm for logging / internal logic) from the actual key.",
      ),
    ),

  /** /key/info */
  infoUnknownKey: () =>
    new ProxyError({
      status: 404,
      message: 'Key not found in database',
      type: 'not_found_error',
      param: 'key',
    }),
  infoNotAllowed: (role: string) =>
    handlerError(403, `You are not allowed to access this key's info. Your role=${role}`),

  /** /key/list */
  listNoUser: () =>
    new ProxyError({
      status: 403,
      message:
        "You are not authorized to access this endpoint. No 'user_id' is associated with your API key.",
      type: 'bad_request_error',
      param: 'user_id',
    }),
  listOtherUser: () =>
    new ProxyError({
      status: 403,
      message: "You are not authorized to check another user's keys",
      type: 'bad_request_error',
      param: 'user_id',
    }),
  listOtherTeam: () =>
    new ProxyError({
      status: 403,
      message: "You are not authorized to check this team's keys",
      type: 'bad_request_error',
      param: 'team_id',
    }),
  listOtherOrganization: () =>
    new ProxyError({
      status: 403,
      message: "You are not authorized to check this organization's keys",
      type: 'bad_request_error',
      param: 'organization_id',
    }),
  invalidSortColumn: (columns: readonly string[]) =>
    handlerError(400, pyErrorDict(`Invalid sort column. Must be one of: ${columns.join(', ')}`)),
  invalidSortOrder: () => handlerError(400, pyErrorDict("Invalid sort order. Must be 'asc' or 'desc'")),

  /** /key/block and /key/unblock */
  invalidKeyFormat: () =>
    new ProxyError({ status: 400, message: 'Invalid key format.', type: 'bad_request_error', param: 'key' }),
  blockUnknownKey: (key: string) =>
    new ProxyError({
      status: 404,
      message: `Key ${displayKey(key)} not found`,
      type: 'bad_request_error',
      param: 'key',
    }),

  identityUnavailable: () =>
    new ProxyError({
      status: 503,
      message: 'the identity service is unavailable, retry shortly',
      type: 'service_unavailable',
      param: null,
    }),
  spendUnavailableForRegenerate: () =>
    new ProxyError({
      status: 503,
      message:
        'the spend service is unavailable, so the key was not regenerated (its spend must move with it); retry shortly',
      type: 'service_unavailable',
      param: null,
    }),
};
