/**
 * Teams across processes: identity creates the team and its members, the keys service holds the team's
 * keys; a member budget set in identity is visible in /user/info, and deleting the team deletes its keys
 * (they stop working at the gateway) and its memberships.
 */
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

describe('teams through the gateway', () => {
  let stack: Stack;
  const admin = (path: string, body?: unknown) =>
    call(`${stack.gatewayUrl}${path}`, { key: MASTER_KEY, body });

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('when a team is created with members, a member is added by email, budgeted and the team deleted, then users, budgets and keys follow', async () => {
    await admin('/user/new', {
      user_id: 'team-lead',
      user_email: 'lead@team.test',
      user_role: 'internal_user',
      auto_create_key: false,
    });
    const team = await admin('/team/new', {
      team_id: 'e2e-team',
      team_alias: 'E2E',
      members_with_roles: [{ role: 'admin', user_id: 'team-lead' }],
    });
    expect(team.status).toBe(200);
    expect((team.body as { members_with_roles: unknown[] }).members_with_roles).toEqual([
      { role: 'admin', user_id: 'team-lead', user_email: 'lead@team.test' },
      { role: 'admin', user_id: 'default_user_id', user_email: null },
    ]);

    // The team admin adds a new person by email: identity creates the user.
    const lead = (await admin('/user/new', { user_id: 'team-lead' })).body as { key: string };
    const added = await call(`${stack.gatewayUrl}/team/member_add`, {
      key: lead.key,
      body: { team_id: 'e2e-team', member: { role: 'user', user_email: 'newcomer@team.test' } },
    });
    expect(added.status).toBe(200);
    const newcomer = (added.body as { updated_users: Array<{ user_id: string; user_role: string }> })
      .updated_users[0];
    expect(newcomer?.user_role).toBe('internal_user');

    // A per-member budget, set by the team admin, shows in the member's /user/info.
    const budget = await call(`${stack.gatewayUrl}/team/member_update`, {
      key: lead.key,
      body: { team_id: 'e2e-team', user_email: 'newcomer@team.test', max_budget_in_team: 3.5, rpm_limit: 7 },
    });
    expect(budget.status).toBe(200);
    const info = await admin(`/user/info?user_id=${newcomer?.user_id}`);
    expect(info.status).toBe(200);
    expect((info.body as { teams: Array<{ team_id: string; team_memberships: unknown[] }> }).teams).toEqual([
      expect.objectContaining({
        team_id: 'e2e-team',
        team_memberships: [
          expect.objectContaining({
            user_id: newcomer?.user_id,
            team_id: 'e2e-team',
            litellm_budget_table: expect.objectContaining({ max_budget: 3.5, rpm_limit: 7 }),
          }),
        ],
      }),
    ]);

    // A key of the team works until the team is deleted; then it is gone, and so are the memberships.
    const teamKey = (await admin('/key/generate', { team_id: 'e2e-team', user_id: newcomer?.user_id }))
      .body as { key: string };
    expect((await call(`${stack.gatewayUrl}/v1/models`, { key: teamKey.key })).status).toBe(200);

    const deleted = await admin('/team/delete', { team_ids: ['e2e-team'] });

    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted_teams: ['e2e-team'] });
    const refused = await call(`${stack.gatewayUrl}/v1/models`, { key: teamKey.key });
    expect(refused.status).toBe(401);
    expect((refused.body as { error: { type: string } }).error.type).toBe('token_not_found_in_db');
    const after = await admin(`/user/info?user_id=${newcomer?.user_id}`);
    expect((after.body as { teams: unknown[]; user_info: { teams: unknown[] } }).teams).toEqual([]);
    expect((after.body as { user_info: { teams: unknown[] } }).user_info.teams).toEqual([]);
  });

  test('when a user is deleted, then its keys stop working at the gateway', async () => {
    const user = (await admin('/user/new', { user_id: 'doomed-user', user_role: 'internal_user' })).body as {
      key: string;
    };
    expect((await call(`${stack.gatewayUrl}/v1/models`, { key: user.key })).status).toBe(200);

    const res = await admin('/user/delete', { user_ids: ['doomed-user'] });

    expect(res.status).toBe(200);
    expect(res.body).toBe(1);
    expect((await call(`${stack.gatewayUrl}/v1/models`, { key: user.key })).status).toBe(401);
  });
});
