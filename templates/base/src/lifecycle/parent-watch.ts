import cluster from 'node:cluster';

/**
 * Calls `onGone` once when the tool that started this server goes away without stopping it, so the
 * server never lives on as an orphan holding the port. Only a parent that talks to us over an IPC
 * channel is watched (`asyncsrv dev`, pm2's fork mode): its channel disconnects when it dies.
 * Started by a person or a supervisor (`node dist/server.js` from a shell, systemd, a container's
 * PID 1) there is no channel and nothing is watched: the server runs until it gets a signal. A
 * cluster worker (`asyncsrv start`) is left to Node, which ends it when its primary is gone.
 */
export function watchParent(onGone: () => void): void {
  if (!process.send || cluster.isWorker) return;
  if (!process.connected) return onGone(); // it went away while we were starting
  process.once('disconnect', onGone);
}
