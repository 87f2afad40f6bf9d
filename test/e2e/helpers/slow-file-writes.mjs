// Preloaded with `node --import` into the CLI under test: every fs.promises.writeFile takes
// SLOW_WRITE_MS longer and the first one prints a marker to stderr, so a test can press Ctrl-C
// while the scaffolder is rendering files (a slow disk, made deterministic).
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const delayMs = Number(process.env.SLOW_WRITE_MS ?? 200);
const writeFile = fs.promises.writeFile;
let first = true;
fs.promises.writeFile = async (...args) => {
  if (first) {
    first = false;
    process.stderr.write('[slow-file-writes] rendering started\n');
  }
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return writeFile(...args);
};
syncBuiltinESMExports();
