import { performance } from 'node:perf_hooks';
import chalk from 'chalk';
import type { Logger } from '../util/logger.js';
import type { AppExit, AppProcess, ListeningMessage } from './app-process.js';
import type { FileWatcher } from './watch-files.js';

/** What a dev session works with; `runDev` passes the real ones, tests pass fakes. */
export interface DevSessionDeps {
  /** A new app process, booted and waiting for `start` (a warm spare until then). */
  spawnApp(): AppProcess;
  /** The environment an app starts with, read at each start (.env may have changed). */
  appEnv(): NodeJS.ProcessEnv;
  /** Starts watching; `onChange` gets the changed files, relative to the project. */
  watch(onChange: (files: string[]) => void): FileWatcher;
  /** Lints the changed files off the restart path; resolves with a summary to print ('' for none). */
  lint(files: string[]): Promise<string>;
  /** The lines printed once the app listens. */
  banner(listening: ListeningMessage): string;
  logger: Logger;
  /** Clears the terminal before each banner (`--no-clear` or no TTY: undefined). */
  clearScreen: (() => void) | undefined;
  /** Keep a warm spare process for the next restart (not with --inspect: one inspector port). */
  useSpares: boolean;
  /** How long a stopping app may take to close before it is killed. */
  stopGraceMs: number;
}

/**
 * The restart logic of `asyncsrv dev`: one app serves at a time; a change starts the next one
 * (the warm spare) and retires the previous one. Servers with the hand-off boot beside the running
 * one and bind the port once it is gone; a server that listens at once (an edited server.ts
 * without the hand-off) turns the hand-off off, and from then on the old app stops first.
 */
export class DevSession {
  private app: AppProcess | undefined;
  private spare: AppProcess | undefined;
  private handoff = true;
  private queue = Promise.resolve();
  private lintRound = 0;
  private readonly stopping = new WeakSet<AppProcess>();

  constructor(
    private readonly deps: DevSessionDeps,
    private readonly signal: AbortSignal,
  ) {}

  /** Queues a restart for these changed files (none: the first start); restarts run one at a time. */
  restart(changed: string[]): void {
    this.queue = this.queue.then(() => (this.signal.aborted ? undefined : this.replaceApp(changed)));
  }

  /** Resolves once the queued restarts are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Waits for the queued restarts, then stops the app and the spare. */
  async close(): Promise<void> {
    await this.queue;
    await Promise.all(
      [this.app, this.spare].filter((child): child is AppProcess => child !== undefined).map((child) => this.retire(child)),
    );
  }

  private async retire(child: AppProcess): Promise<void> {
    this.stopping.add(child);
    await child.stop(this.deps.stopGraceMs);
  }

  private startNextApp(): AppProcess {
    const child = this.spare ?? this.deps.spawnApp();
    this.spare = undefined;
    child.start(this.deps.appEnv());
    void child.exited.then((exit) => {
      if (this.stopping.has(child) || this.signal.aborted) return;
      this.deps.logger.error(`The app ${describeExit(exit)}. Waiting for a change to restart…`);
    });
    return child;
  }

  private async replaceApp(changed: string[]): Promise<void> {
    const started = performance.now();
    const previous = this.app;
    // The old process releases the port before the new one binds it.
    if (previous && !this.handoff) await this.retire(previous);
    const next = this.startNextApp();
    this.app = next;
    const first = await Promise.race([
      next.ready.then(() => 'ready' as const),
      next.listening.then(() => 'listening' as const),
      next.exited.then(() => 'exited' as const),
    ]);
    if (first === 'listening') this.handoff = false;
    // Also when the new version crashed: what is served is always what was saved.
    if (previous && this.handoff) await this.retire(previous);
    if (first === 'exited' || this.signal.aborted) return;
    if (first === 'ready') next.cueListen();
    try {
      const listening = await next.listening;
      this.deps.clearScreen?.();
      if (changed.length === 0 || this.deps.clearScreen) this.deps.logger.info(this.deps.banner(listening));
      if (changed.length > 0) {
        this.deps.logger.info(chalk.dim(`restarted in ${Math.round(performance.now() - started)} ms: ${changed.join(', ')}`));
        void this.lintChanged(changed, ++this.lintRound);
      }
    } catch {
      // It exited before listening: startNextApp reports it.
    }
    if (this.deps.useSpares && !this.signal.aborted) {
      const fresh = this.deps.spawnApp();
      this.spare = fresh;
      void fresh.exited.then(() => {
        if (this.spare === fresh) this.spare = undefined;
      });
    }
  }

  /** A newer restart makes an older lint's findings stale: only the latest round prints. */
  private async lintChanged(changed: string[], round: number): Promise<void> {
    try {
      const summary = await this.deps.lint(changed);
      if (summary && round === this.lintRound && !this.signal.aborted) this.deps.logger.info(summary);
    } catch (error) {
      if (round === this.lintRound) this.deps.logger.warn(`lint did not run: ${(error as Error).message}`);
    }
  }
}

/** Runs a session until the signal aborts: watch, first start, restarts; then stops the app. */
export async function runDevSession(deps: DevSessionDeps, signal: AbortSignal): Promise<void> {
  const session = new DevSession(deps, signal);
  const watcher = deps.watch((changed) => session.restart(changed));
  try {
    session.restart([]);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await watcher.close();
    await session.close();
  }
}

function describeExit(exit: AppExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return exit.code === 0 ? 'exited with code 0' : `crashed (exit code ${exit.code})`;
}
