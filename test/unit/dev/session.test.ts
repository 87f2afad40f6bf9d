import { describe, expect, it } from 'vitest';
import type { AppExit, AppProcess, ListeningMessage } from '../../../src/dev/app-process.js';
import { DevSession, runDevSession, type DevSessionDeps } from '../../../src/dev/session.js';

const LISTENING: ListeningMessage = { type: 'asyncsrv:listening', url: 'http://127.0.0.1:3000', upstream: 'mock', routes: [] };

/** A fake app process: the test decides when it is ready, listens or exits; the journal records what the session did. */
class FakeApp implements AppProcess {
  readonly pid: number;
  startedWith: NodeJS.ProcessEnv | undefined;
  cued = false;
  readonly ready: Promise<void>;
  readonly listening: Promise<ListeningMessage>;
  readonly exited: Promise<AppExit>;
  becomeReady!: () => void;
  listen!: () => void;
  exit!: (exit: AppExit) => void;
  private failListening!: (error: Error) => void;
  private failReady!: (error: Error) => void;

  constructor(
    pid: number,
    private readonly journal: string[],
  ) {
    this.pid = pid;
    this.ready = new Promise<void>((resolve, reject) => {
      this.becomeReady = resolve;
      this.failReady = reject;
    });
    this.listening = new Promise<ListeningMessage>((resolve, reject) => {
      this.listen = () => resolve(LISTENING);
      this.failListening = reject;
    });
    this.exited = new Promise<AppExit>((resolve) => {
      this.exit = (exit) => {
        this.journal.push(`exit ${pid}`);
        resolve(exit);
        this.failReady(new Error('exited'));
        this.failListening(new Error('exited'));
      };
    });
    this.ready.catch(() => undefined);
    this.listening.catch(() => undefined);
  }

  start(env: NodeJS.ProcessEnv): void {
    this.journal.push(`start ${this.pid}`);
    this.startedWith = env;
  }

  cueListen(): void {
    this.journal.push(`cue ${this.pid}`);
    this.cued = true;
  }

  async stop(): Promise<AppExit> {
    this.journal.push(`stop ${this.pid}`);
    this.exit({ code: undefined, signal: 'SIGTERM' });
    return this.exited;
  }
}

interface Harness {
  deps: DevSessionDeps;
  apps: FakeApp[];
  journal: string[];
  out: string[];
  errors: string[];
  warnings: string[];
  lintCalls: Array<{ files: string[]; resolve: (summary: string) => void; reject: (error: Error) => void }>;
  changeFiles: (files: string[]) => void;
  watcherClosed: () => boolean;
}

function harness(overrides: Partial<DevSessionDeps> = {}): Harness {
  const journal: string[] = [];
  const apps: FakeApp[] = [];
  const out: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const lintCalls: Harness['lintCalls'] = [];
  let onChange: ((files: string[]) => void) | undefined;
  let closed = false;
  const deps: DevSessionDeps = {
    spawnApp: () => {
      const app = new FakeApp(apps.length + 1, journal);
      journal.push(`spawn ${app.pid}`);
      apps.push(app);
      return app;
    },
    appEnv: () => ({ PORT: '3000' }),
    watch: (listener) => {
      onChange = listener;
      return {
        close: async () => {
          closed = true;
        },
      };
    },
    lint: (files) => new Promise<string>((resolve, reject) => lintCalls.push({ files, resolve, reject })),
    banner: (listening) => `banner ${listening.url}`,
    logger: { info: (line) => out.push(line), warn: (line) => warnings.push(line), error: (line) => errors.push(line) },
    clearScreen: undefined,
    useSpares: true,
    stopGraceMs: 3000,
    ...overrides,
  };
  return {
    deps,
    apps,
    journal,
    out,
    errors,
    warnings,
    lintCalls,
    changeFiles: (files) => onChange?.(files),
    watcherClosed: () => closed,
  };
}

/** Lets the session's promise chains run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DevSession', () => {
  it('first start: starts an app with the environment, cues it once ready, prints the banner, then warms a spare', async () => {
    const h = harness();
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    const first = h.apps[0]!;
    expect(first.startedWith).toEqual({ PORT: '3000' });
    first.becomeReady();
    await tick();
    expect(first.cued).toBe(true);
    first.listen();
    await session.settled();
    expect(h.out).toEqual(['banner http://127.0.0.1:3000']);
    expect(h.journal).toEqual(['spawn 1', 'start 1', 'cue 1', 'spawn 2']);
    expect(h.apps[1]!.startedWith).toBeUndefined(); // the spare waits for the next change
  });

  it('hand-off: on a change the spare boots beside the running app, which stops only once the new one is ready', async () => {
    const h = harness();
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await session.settled();

    const before = h.journal.length;
    session.restart(['src/app.ts']);
    await tick();
    const next = h.apps[1]!;
    expect(h.journal.slice(before)).toEqual(['start 2']); // the old app still serves
    next.becomeReady();
    await tick();
    expect(h.journal.slice(before)).toEqual(['start 2', 'stop 1', 'exit 1', 'cue 2']);
    next.listen();
    await session.settled();
    expect(h.out[1]).toMatch(/^restarted in \d+ ms: src\/app\.ts$/);
    expect(h.out).toHaveLength(2); // no banner again without a cleared screen
    expect(h.errors).toEqual([]); // a retired app's exit is not a crash
    expect(h.lintCalls.map((call) => call.files)).toEqual([['src/app.ts']]);
  });

  it('a server that listens at once (no hand-off) turns the hand-off off: from then on the old app stops first', async () => {
    const h = harness();
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.listen(); // listening before ready: an edited server.ts without the hand-off
    await session.settled();
    expect(h.apps[0]!.cued).toBe(false);

    session.restart(['src/server.ts']);
    await tick();
    expect(h.journal.slice(-3)).toEqual(['stop 1', 'exit 1', 'start 2']);
    h.apps[1]!.listen();
    await session.settled();
    expect(h.out[1]).toMatch(/^restarted in \d+ ms: src\/server\.ts$/);
  });

  it('a crash: reports it once, retires the previous app (what is served is what was saved), warms no spare', async () => {
    const h = harness();
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await session.settled();

    session.restart(['src/app.ts']);
    await tick();
    h.apps[1]!.exit({ code: 1, signal: undefined });
    await session.settled();
    await tick();
    expect(h.errors).toEqual(['The app crashed (exit code 1). Waiting for a change to restart…']);
    expect(h.journal).toContain('stop 1');
    expect(h.apps).toHaveLength(2);

    // The next change starts a fresh process.
    session.restart(['src/app.ts']);
    await tick();
    expect(h.apps).toHaveLength(3);
    expect(h.apps[2]!.startedWith).toEqual({ PORT: '3000' });
  });

  it('names a kill by signal and a clean exit', async () => {
    for (const [exit, text] of [
      [{ code: undefined, signal: 'SIGKILL' }, 'The app was killed by SIGKILL. Waiting for a change to restart…'],
      [{ code: 0, signal: undefined }, 'The app exited with code 0. Waiting for a change to restart…'],
    ] as const) {
      const h = harness();
      const session = new DevSession(h.deps, new AbortController().signal);
      session.restart([]);
      await tick();
      h.apps[0]!.becomeReady();
      h.apps[0]!.listen();
      await session.settled();
      h.apps[0]!.exit(exit);
      await tick();
      expect(h.errors).toEqual([text]);
    }
  });

  it('prints only the latest lint: a newer restart makes an older round stale', async () => {
    const h = harness();
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await session.settled();
    for (const [index, file] of [
      [1, 'src/a.ts'],
      [2, 'src/b.ts'],
    ] as const) {
      session.restart([file]);
      await tick();
      h.apps[index]!.becomeReady();
      h.apps[index]!.listen();
      await session.settled();
    }
    h.lintCalls[1]!.resolve('lint: b');
    h.lintCalls[0]!.resolve('lint: a');
    h.lintCalls[0]!.reject(new Error('ignored'));
    await tick();
    expect(h.out.filter((line) => line.startsWith('lint'))).toEqual(['lint: b']);
    expect(h.warnings).toEqual([]);
  });

  it('says when the lint could not run', async () => {
    const h = harness({
      lint: async () => {
        throw new Error('asyncsrv lint needs eslint');
      },
    });
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await session.settled();
    session.restart(['src/a.ts']);
    await tick();
    h.apps[1]!.becomeReady();
    h.apps[1]!.listen();
    await session.settled();
    await tick();
    expect(h.warnings).toEqual(['lint did not run: asyncsrv lint needs eslint']);
  });

  it('with a cleared screen, prints the banner after each restart; without spares (--inspect), spawns on demand', async () => {
    let clears = 0;
    const h = harness({
      clearScreen: () => {
        clears += 1;
      },
      useSpares: false,
    });
    const session = new DevSession(h.deps, new AbortController().signal);
    session.restart([]);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await session.settled();
    expect(h.apps).toHaveLength(1);
    session.restart(['src/a.ts']);
    await tick();
    h.apps[1]!.becomeReady();
    h.apps[1]!.listen();
    await session.settled();
    expect(clears).toBe(2);
    expect(h.out.filter((line) => line.startsWith('banner'))).toHaveLength(2);
  });
});

describe('runDevSession', () => {
  it('watches, starts, restarts on changes, and on abort closes the watcher and stops the app and the spare', async () => {
    const h = harness();
    const controller = new AbortController();
    const running = runDevSession(h.deps, controller.signal);
    await tick();
    h.apps[0]!.becomeReady();
    h.apps[0]!.listen();
    await tick();
    h.changeFiles(['src/app.ts']);
    await tick();
    h.apps[1]!.becomeReady();
    h.apps[1]!.listen();
    await tick();
    expect(h.apps).toHaveLength(3); // the app, and a fresh spare
    controller.abort();
    await running;
    expect(h.watcherClosed()).toBe(true);
    expect(h.journal.slice(-4)).toEqual(['stop 2', 'exit 2', 'stop 3', 'exit 3']);
    expect(h.errors).toEqual([]);
  });
});
