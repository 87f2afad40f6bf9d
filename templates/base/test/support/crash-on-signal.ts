// Preloaded into the server by shutdown.test.ts (`--import`): SIGUSR2 throws from a signal
// handler, an uncaught exception like a bug's, to check that a crash loses no log line.
process.on('SIGUSR2', () => {
  throw new Error('crash for the test', { cause: new Error('the cause of the crash') });
});
