import { describe, expect, it } from 'vitest';
import { defaultChoices, detectPackageManager } from '../../../src/scaffold/options.js';
import { assertValidProjectName, invalidProjectNameReason, projectNameFor } from '../../../src/scaffold/project-name.js';
import { UserError } from '../../../src/util/errors.js';

describe('detectPackageManager', () => {
  it.each([
    ['pnpm/9.1.0 npm/? node/v20.19.0 linux x64', 'pnpm'],
    ['yarn/1.22.22 npm/? node/v20.19.0', 'yarn'],
    ['bun/1.1.0 npm/? node/v20.19.0', 'bun'],
    ['npm/11.0.0 node/v20.19.0', 'npm'],
    ['deno/2.0.0', 'npm'],
    [undefined, 'npm'],
  ])('%s → %s', (agent, pm) => {
    expect(detectPackageManager(agent)).toBe(pm);
  });
});

describe('project names', () => {
  it('takes the last path segment, resolving `.` to the current directory', () => {
    expect(projectNameFor('apps/my-api', '/home/me')).toBe('my-api');
    expect(projectNameFor('.', '/home/me/service')).toBe('service');
  });

  it.each([
    ['My-App', /capital letters/],
    ['my app', /URL-friendly/],
    ['.hidden', /period/],
    ['node_modules', /not a valid package name/],
  ])('rejects %s and says why', (name, reason) => {
    expect(invalidProjectNameReason(name)).toMatch(reason);
    expect(() => assertValidProjectName(name)).toThrow(UserError);
  });

  it('accepts ordinary names', () => {
    expect(invalidProjectNameReason('my-async-server')).toBeUndefined();
  });
});

describe('defaultChoices', () => {
  it('fills what the flags leave open with the documented defaults', () => {
    const flags = {
      directory: undefined,
      yes: true,
      db: undefined,
      pm: undefined,
      install: undefined,
      git: false,
      deploy: undefined,
      minimal: undefined,
      force: false,
    };
    expect(defaultChoices(flags, 'pnpm/9 node/v20')).toEqual({
      directory: 'my-async-server',
      db: 'pglite',
      pm: 'pnpm',
      install: true,
      git: false,
      deploy: false,
      minimal: false,
      force: false,
    });
  });
});
