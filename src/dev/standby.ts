/**
 * A warm app process for `asyncsrv dev` (run by node with the project's tsx loader, cwd = the
 * project): node, the loader and the project's dependencies load before any file changes, so a
 * restart costs importing the project's own code, not a whole boot. On the `asyncsrv:start`
 * message it takes the environment it is given and imports the server entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface StartMessage {
  type: 'asyncsrv:start';
  entry: string;
  env: Record<string, string>;
}

async function preloadDependencies(root: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const parent = pathToFileURL(join(root, 'package.json')).href;
  // Resolved from the project (not from this file) so the server's own imports hit the same modules.
  await Promise.allSettled(Object.keys(manifest.dependencies ?? {}).map(async (name) => import(import.meta.resolve(name, parent))));
}

function waitForStart(): Promise<StartMessage> {
  return new Promise((resolve) => {
    // A spare whose dev process died (even by SIGKILL) must not stay behind; once started, the server watches the channel itself.
    const onDisconnect = (): void => process.exit(0);
    const onMessage = (message: unknown): void => {
      if ((message as { type?: unknown } | null)?.type !== 'asyncsrv:start') return;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve(message as StartMessage);
    };
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
    if (!process.connected) onDisconnect();
  });
}

async function main(): Promise<void> {
  await preloadDependencies(process.cwd());
  process.send?.({ type: 'asyncsrv:standby' });
  const { entry, env } = await waitForStart();
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  await import(pathToFileURL(entry).href);
}

await main();
