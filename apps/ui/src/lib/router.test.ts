import { appPath, href } from './router';

describe('appPath', () => {
  test('when the path is the console root in any spelling, then it is "/"', () => {
    expect(['/ui', '/ui/', '/ui//'].map(appPath)).toEqual(['/', '/', '/']);
  });

  test('when the path is a page, then the /ui prefix and trailing slashes are dropped', () => {
    expect(['/ui/keys', '/ui/onboarding/', '/ui/users'].map(appPath)).toEqual([
      '/keys',
      '/onboarding',
      '/users',
    ]);
  });

  test('when the path is outside the console, then it maps to the root', () => {
    expect(['/', '/uix/keys', '/login'].map(appPath)).toEqual(['/', '/', '/']);
  });
});

describe('href', () => {
  test('when an app path is linked, then the URL is under /ui', () => {
    expect([href('/'), href('/keys'), href('/onboarding')]).toEqual(['/ui/', '/ui/keys', '/ui/onboarding']);
  });
});
