import { isLlmRoute, isPublicRoute, routeOwner } from './routes';

describe('isLlmRoute', () => {
  test.each([
    '/chat/completions',
    '/v1/chat/completions',
    '/completions',
    '/v1/completions',
    '/embeddings',
    '/v1/embeddings',
    '/models',
    '/v1/models',
    '/models/gpt-4o',
    '/v1/models/gpt-4o',
    '/v1/models/text-embedding-3-small',
    '/engines/gpt-4o/chat/completions',
    '/openai/deployments/gpt-4o/chat/completions',
    '/openai/deployments/my-azure-deployment/chat/completions',
  ])('when the path is %s, then it is an LLM route', (path) => {
    expect(isLlmRoute(path)).toBe(true);
  });

  test.each([
    '/key/generate',
    '/key/info',
    '/user/new',
    '/team/new',
    '/spend/logs',
    '/global/spend',
    '/model/info',
    '/v1/model/info',
    '/health',
    '/health/liveliness',
    '/login',
    '/',
    '/v2/chat/completions',
    '/v1/chat/completions/extra',
    '/chat/completions/',
    '/v1/models/',
    '/v1/models/openai/gpt-4o',
    '/engines//chat/completions',
    '/openai/deployments/chat/completions',
    '/v1/chat/completionsX',
    'v1/chat/completions',
  ])('when the path is %s, then it is not an LLM route', (path) => {
    expect(isLlmRoute(path)).toBe(false);
  });
});

describe('routeOwner', () => {
  test.each([
    ['/user/new', 'identity'],
    ['/user/info', 'identity'],
    ['/user', 'identity'],
    ['/team/new', 'identity'],
    ['/team/member_add', 'identity'],
    ['/invitation/new', 'identity'],
    ['/onboarding/get_token', 'identity'],
    ['/login', 'identity'],
    ['/v2/login', 'identity'],
    ['/logout', 'identity'],
    ['/sso/get/ui_settings', 'identity'],
    ['/key/generate', 'keys'],
    ['/key/info', 'keys'],
    ['/key/sk-abc/regenerate', 'keys'],
    ['/key', 'keys'],
    ['/spend/logs', 'spend'],
    ['/spend', 'spend'],
    ['/global/spend', 'spend'],
    ['/global/spend/reset', 'spend'],
  ] as const)('when the path is %s, then %s owns it', (path, owner) => {
    expect(routeOwner(path)).toBe(owner);
  });

  test.each([
    '/v1/chat/completions',
    '/model/info',
    '/health/liveliness',
    '/users/new',
    '/keys',
    '/teams',
    '/spending',
    '/global/activity',
    '/login/extra',
    '/sso/key/generate',
    '/',
    '/metrics',
  ])('when the path is %s, then no service owns it', (path) => {
    expect(routeOwner(path)).toBeNull();
  });
});

describe('isPublicRoute', () => {
  test.each([
    '/health/liveliness',
    '/health/liveness',
    '/health/readiness',
    '/login',
    '/v2/login',
    '/logout',
    '/onboarding/get_token',
    '/onboarding/claim_token',
    '/ui',
    '/ui/',
    '/ui/assets/app.js',
    '/',
    '/routes',
    '/metrics',
  ])('when the path is %s, then it needs no credentials', (path) => {
    expect(isPublicRoute(path)).toBe(true);
  });

  test.each([
    '/health',
    '/key/generate',
    '/user/new',
    '/onboarding',
    '/uix',
    '/login/extra',
    '/v1/models',
    '/chat/completions',
    '/metrics/extra',
    '/invitation/new',
  ])('when the path is %s, then it needs credentials', (path) => {
    expect(isPublicRoute(path)).toBe(false);
  });
});
