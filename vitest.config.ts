import { configDefaults, defineConfig } from 'vitest/config';

// Measured under load, the overload suite runs alone, after every other file: on a 2-core machine a
// neighbouring e2e file takes the CPU its server needs to answer a refusal within 50 ms.
const alone = ['test/e2e/overload.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    // e2e files install and run whole projects: two at a time fits a 2-core machine.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...alone] } },
      { extends: true, test: { name: 'alone', include: alone, sequence: { groupOrder: 1 } } },
    ],
  },
});
