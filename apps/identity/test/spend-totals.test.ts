import { INTERNAL_ROUTES } from '@llmgw/contracts';
import { type Harness, principals, startHarness } from './support/harness';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
/** A Wednesday, 10:00 UTC: `1d` resets at the next midnight, `7d` on Monday, `30d` on the 1st. */
const NOW = Date.parse('2031-03-05T10:00:00.000Z');
const MIDNIGHT = '2031-03-06T00:00:00.000Z';
const MONDAY = '2031-03-10T00:00:00.000Z';
const FIRST = '2031-04-01T00:00:00.000Z';

const userRow = (fields: Record<string, unknown>) => ({
  user_id: expect.any(String),
  user_alias: null,
  team_id: null,
  sso_user_id: null,
  organization_id: null,
  teams: [],
  user_role: 'internal_user',
  max_budget: null,
  spend: 0,
  user_email: null,
  models: [],
  metadata: {},
  max_parallel_requests: null,
  tpm_limit: null,
  rpm_limit: null,
  budget_duration: null,
  budget_reset_at: null,
  allowed_cache_controls: [],
  model_spend: {},
  model_max_budget: {},
  created_at: ISO,
  updated_at: ISO,
  ...fields,
});

const teamRow = (fields: Record<string, unknown>) => ({
  team_id: expect.any(String),
  team_alias: null,
  organization_id: null,
  admins: [],
  members: [],
  members_with_roles: [],
  team_member_permissions: [],
  metadata: {},
  tpm_limit: null,
  rpm_limit: null,
  max_budget: null,
  budget_duration: null,
  budget_reset_at: null,
  models: [],
  blocked: false,
  spend: 0,
  max_parallel_requests: null,
  model_aliases: {},
  model_id: null,
  model_spend: {},
  model_max_budget: {},
  team_member_budget: null,
  team_member_rpm_limit: null,
  team_member_tpm_limit: null,
  team_member_key_duration: null,
  created_at: ISO,
  updated_at: ISO,
  ...fields,
});

/** A membership with its own budget table (set by /team/member_update). */
const budgetedMembership = (
  teamId: string,
  userId: string,
  spend: number,
  table: Record<string, unknown>,
) => ({
  user_id: userId,
  team_id: teamId,
  spend,
  budget_id: UUID,
  litellm_budget_table: {
    budget_id: UUID,
    max_budget: null,
    soft_budget: null,
    max_parallel_requests: null,
    tpm_limit: null,
    rpm_limit: null,
    model_max_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    ...table,
  },
});
/** members_with_roles: the users given, then the master key's user, who created the team (LiteLLM). */
const members = (ids: string[]) => [
  ...ids.map((id) => ({ role: 'user', user_id: id, user_email: null })),
  { role: 'admin', user_id: 'default_user_id', user_email: null },
];
const plainMembership = (teamId: string, userId: string, spend: number) => ({
  user_id: userId,
  team_id: teamId,
  spend,
  budget_id: null,
  litellm_budget_table: null,
});

describe('identity and the spend service (spend totals, budget schedules)', () => {
  let h: Harness;
  const admin = () => h.as(principals.master());
  const ok = async (res: Promise<{ status: number; body: unknown }>) => {
    const r = await res;
    expect(r.status).toBe(200);
    return r;
  };
  const outboxRows = () =>
    h.db
      .selectFrom('identity.budget_schedule_outbox')
      .select(['entity_kind', 'entity_id', 'attempts'])
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    h = await startHarness();
    h.clock.set(NOW);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.spend.calls = [];
    h.spend.failing = false;
  });

  describe('reads show the spend totals', () => {
    beforeAll(async () => {
      for (const id of ['spender', 'teammate']) {
        await ok(
          admin().post('/user/new', { user_id: id, user_role: 'internal_user', auto_create_key: false }),
        );
      }
      await ok(
        admin().post('/team/new', {
          team_id: 'spend-a',
          members_with_roles: [
            { role: 'user', user_id: 'spender' },
            { role: 'user', user_id: 'teammate' },
          ],
        }),
      );
      await ok(
        admin().post('/team/new', {
          team_id: 'spend-b',
          members_with_roles: [{ role: 'user', user_id: 'spender' }],
        }),
      );
      await ok(
        admin().post('/team/member_update', {
          team_id: 'spend-a',
          user_id: 'spender',
          max_budget_in_team: 5,
          budget_duration: '1d',
        }),
      );
      h.spend.setSpend('user', 'spender', 4.5);
      h.spend.setSpend('user', 'teammate', 8.5);
      h.spend.setSpend('team', 'spend-a', 13);
      h.spend.setSpend('team', 'spend-b', 0.25);
      h.spend.setSpend('member', 'spend-a:spender', 4.25);
      h.spend.setSpend('member', 'spend-a:teammate', 8.5);
      h.spend.setSpend('member', 'spend-b:spender', 0.25);
    });

    it('when an admin reads /user/info, then the user, its teams and its memberships show spend’s totals, from one bulk call', async () => {
      h.spend.calls = [];
      const res = await admin().get('/user/info?user_id=spender');

      expect(res.status).toBe(200);
      expect(res.headers['x-llmgw-spend-stale']).toBeUndefined();
      expect(res.body).toEqual({
        user_id: 'spender',
        user_info: {
          ...userRow({ user_id: 'spender', teams: ['spend-a', 'spend-b'], spend: 4.5 }),
          organization_memberships: [],
        },
        keys: [],
        teams: [
          {
            ...teamRow({
              team_id: 'spend-a',
              spend: 13,
              members_with_roles: members(['spender', 'teammate']),
            }),
            team_memberships: [
              budgetedMembership('spend-a', 'spender', 4.25, {
                max_budget: 5,
                budget_duration: '1d',
                budget_reset_at: MIDNIGHT,
              }),
            ],
          },
          {
            ...teamRow({ team_id: 'spend-b', spend: 0.25, members_with_roles: members(['spender']) }),
            team_memberships: [plainMembership('spend-b', 'spender', 0.25)],
          },
        ],
      });
      expect(h.spend.calls).toEqual([
        {
          method: 'POST',
          path: INTERNAL_ROUTES.spendTotals,
          body: {
            user_ids: ['spender'],
            team_ids: ['spend-a', 'spend-b'],
            memberships: [
              { team_id: 'spend-a', user_id: 'spender' },
              { team_id: 'spend-b', user_id: 'spender' },
            ],
          },
        },
      ]);
    });

    it('when a member reads /team/info, then the team and every membership show spend’s totals', async () => {
      const res = await h.as(principals.user('teammate', 'internal_user')).get('/team/info?team_id=spend-a');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        team_id: 'spend-a',
        team_info: {
          ...teamRow({
            team_id: 'spend-a',
            spend: 13,
            members_with_roles: members(['spender', 'teammate']),
          }),
          team_member_budget_table: null,
        },
        keys: [],
        team_memberships: [
          budgetedMembership('spend-a', 'spender', 4.25, {
            max_budget: 5,
            budget_duration: '1d',
            budget_reset_at: MIDNIGHT,
          }),
          plainMembership('spend-a', 'teammate', 8.5),
          plainMembership('spend-a', 'default_user_id', 0),
        ],
      });
    });

    it('when spend has reset a membership and moved its reset on, then budget_reset_at is spend’s', async () => {
      h.spend.totals.set('member:spend-a:spender', {
        spend: 0,
        budget_duration: '1d',
        budget_reset_at: '2031-03-07T00:00:00.000Z',
      });
      const res = await admin().get('/team/info?team_id=spend-a');

      expect(res.status).toBe(200);
      expect(res.body.team_memberships[0]).toEqual(
        budgetedMembership('spend-a', 'spender', 0, {
          max_budget: 5,
          budget_duration: '1d',
          budget_reset_at: '2031-03-07T00:00:00.000Z',
        }),
      );
      h.spend.totals.set('member:spend-a:spender', {
        spend: 4.25,
        budget_duration: '1d',
        budget_reset_at: MIDNIGHT,
      });
    });

    it('when teams are listed, then each team and each visible membership shows its total', async () => {
      const res = await h.as(principals.user('spender', 'internal_user')).get('/team/list?user_id=spender');

      expect(res.status).toBe(200);
      expect(
        res.body.map((t: { team_id: string; spend: number; team_memberships: { spend: number }[] }) => ({
          team_id: t.team_id,
          spend: t.spend,
          memberships: t.team_memberships.map((m) => m.spend),
        })),
      ).toEqual([
        { team_id: 'spend-a', spend: 13, memberships: [4.25] },
        { team_id: 'spend-b', spend: 0.25, memberships: [0.25] },
      ]);
    });

    it('when users are listed, then each shows its total', async () => {
      const res = await admin().get('/user/list?user_ids=spender,teammate&sort_by=user_id&sort_order=asc');

      expect(res.status).toBe(200);
      expect(res.body.users.map((u: { user_id: string; spend: number }) => [u.user_id, u.spend])).toEqual([
        ['spender', 4.5],
        ['teammate', 8.5],
      ]);
      expect(h.spend.calls).toEqual([
        {
          method: 'POST',
          path: INTERNAL_ROUTES.spendTotals,
          body: { user_ids: ['spender', 'teammate'], team_ids: [], memberships: [] },
        },
      ]);
    });

    it('when spend is unreachable, then every read answers 200 with the stored spend and `x-llmgw-spend-stale: 1`', async () => {
      h.spend.failing = true;
      const reads = [
        '/user/info?user_id=spender',
        '/user/list?user_ids=spender',
        '/team/info?team_id=spend-a',
        '/team/list',
      ];
      for (const path of reads) {
        const res = await admin().get(path);
        expect({ path, status: res.status, stale: res.headers['x-llmgw-spend-stale'] }).toEqual({
          path,
          status: 200,
          stale: '1',
        });
      }
      const info = await admin().get('/user/info?user_id=spender');
      expect(info.body.user_info.spend).toBe(0);
      expect(info.body.teams.map((t: { spend: number }) => t.spend)).toEqual([0, 0]);
      const team = await admin().get('/team/info?team_id=spend-a');
      expect(team.body.team_info.spend).toBe(0);
      expect(team.body.team_memberships.map((m: { spend: number }) => m.spend)).toEqual([0, 0, 0]);
    });
  });

  describe('budget schedules go to spend', () => {
    it('when /user/new has budget_duration, then spend gets the user’s schedule before the answer and nothing stays owed', async () => {
      const res = await ok(
        admin().post('/user/new', { user_id: 'daily-user', budget_duration: '1d', auto_create_key: false }),
      );

      expect((res.body as { budget_reset_at: string }).budget_reset_at).toBe(MIDNIGHT);
      expect(h.spend.schedules()).toEqual([
        { kind: 'user', id: 'daily-user', budget_duration: '1d', budget_reset_at: MIDNIGHT },
      ]);
      expect(await outboxRows()).toEqual([]);
    });

    it('when /user/update sets budget_duration, then spend gets it; an update without it sends nothing', async () => {
      await ok(admin().post('/user/new', { user_id: 'weekly-user', auto_create_key: false }));
      await ok(admin().post('/user/update', { user_id: 'weekly-user', max_budget: 3 }));
      expect(h.spend.schedules()).toEqual([]);

      await ok(admin().post('/user/update', { user_id: 'weekly-user', budget_duration: '7d' }));

      expect(h.spend.schedules()).toEqual([
        { kind: 'user', id: 'weekly-user', budget_duration: '7d', budget_reset_at: MONDAY },
      ]);
    });

    it('when /team/new sets and /team/update clears budget_duration, then spend gets both', async () => {
      await ok(admin().post('/team/new', { team_id: 'monthly-team', budget_duration: '30d' }));
      await ok(admin().post('/team/update', { team_id: 'monthly-team', max_budget: 100 }));
      await ok(admin().post('/team/update', { team_id: 'monthly-team', budget_duration: null }));

      expect(h.spend.schedules()).toEqual([
        { kind: 'team', id: 'monthly-team', budget_duration: '30d', budget_reset_at: FIRST },
        { kind: 'team', id: 'monthly-team', budget_duration: null },
      ]);
      expect(h.spend.totalsOf('team', 'monthly-team')).toEqual({
        spend: 0,
        budget_duration: null,
        budget_reset_at: null,
      });
    });

    it('when /team/member_update sets a member’s budget_duration and /team/member_delete removes the member, then spend gets the membership’s schedule, then its clearing', async () => {
      await ok(admin().post('/user/new', { user_id: 'member-m', auto_create_key: false }));
      await ok(
        admin().post('/team/new', {
          team_id: 'team-m',
          members_with_roles: [{ role: 'user', user_id: 'member-m' }],
        }),
      );
      await ok(
        admin().post('/team/member_update', {
          team_id: 'team-m',
          user_id: 'member-m',
          budget_duration: '1d',
        }),
      );
      await ok(admin().post('/team/member_delete', { team_id: 'team-m', user_id: 'member-m' }));

      expect(h.spend.schedules()).toEqual([
        { kind: 'member', id: 'team-m:member-m', budget_duration: '1d', budget_reset_at: MIDNIGHT },
        { kind: 'member', id: 'team-m:member-m', budget_duration: null },
      ]);
    });

    it('when a team with schedules is deleted, then the team’s and its memberships’ schedules are cleared', async () => {
      await ok(admin().post('/user/new', { user_id: 'member-t', auto_create_key: false }));
      await ok(
        admin().post('/team/new', {
          team_id: 'team-t',
          budget_duration: '7d',
          members_with_roles: [{ role: 'user', user_id: 'member-t' }],
        }),
      );
      await ok(
        admin().post('/team/member_update', {
          team_id: 'team-t',
          user_id: 'member-t',
          budget_duration: '1d',
        }),
      );
      h.spend.calls = [];

      await ok(admin().post('/team/delete', { team_ids: ['team-t'] }));

      expect(h.spend.schedules()).toEqual([
        { kind: 'team', id: 'team-t', budget_duration: null },
        { kind: 'member', id: 'team-t:member-t', budget_duration: null },
      ]);
    });

    it('when a user with schedules is deleted, then the user’s and its memberships’ schedules are cleared', async () => {
      await ok(
        admin().post('/user/new', { user_id: 'leaver', budget_duration: '1d', auto_create_key: false }),
      );
      await ok(
        admin().post('/team/new', {
          team_id: 'team-l',
          members_with_roles: [{ role: 'user', user_id: 'leaver' }],
        }),
      );
      await ok(
        admin().post('/team/member_update', { team_id: 'team-l', user_id: 'leaver', budget_duration: '7d' }),
      );
      h.spend.calls = [];

      await ok(admin().post('/user/delete', { user_ids: ['leaver'] }));

      expect(h.spend.schedules()).toEqual([
        { kind: 'user', id: 'leaver', budget_duration: null },
        { kind: 'member', id: 'team-l:leaver', budget_duration: null },
      ]);
    });

    it('when spend is down, then the change succeeds, the schedules wait in the outbox, and the pump delivers the newest state once spend is back', async () => {
      await ok(admin().post('/team/new', { team_id: 'team-down' }));
      h.spend.failing = true;

      await ok(admin().post('/team/update', { team_id: 'team-down', budget_duration: '1d' }));
      await ok(admin().post('/team/update', { team_id: 'team-down', budget_duration: '7d' }));

      expect(await outboxRows()).toEqual([
        { entity_kind: 'team', entity_id: 'team-down', attempts: 1 },
        { entity_kind: 'team', entity_id: 'team-down', attempts: 1 },
      ]);
      expect(await h.budgetSchedules.pump()).toBe(0);

      h.spend.failing = false;
      h.spend.calls = [];
      h.clock.set(NOW + 5 * 60_000);
      expect(await h.budgetSchedules.pump()).toBe(2);

      // Each delivery sends the team's schedule as it is now: the older change cannot land last.
      expect(h.spend.schedules()).toEqual([
        { kind: 'team', id: 'team-down', budget_duration: '7d', budget_reset_at: MONDAY },
        { kind: 'team', id: 'team-down', budget_duration: '7d', budget_reset_at: MONDAY },
      ]);
      expect(h.spend.totalsOf('team', 'team-down')).toEqual({
        spend: 0,
        budget_duration: '7d',
        budget_reset_at: MONDAY,
      });
      expect(await outboxRows()).toEqual([]);
      h.clock.set(NOW);
    });
  });
});
