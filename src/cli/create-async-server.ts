import { makeNewCommand } from '../commands/new.js';
import { runProgram } from './run-program.js';
import { readOwnVersion } from '../util/package-info.js';

/** `create-async-server [dir]`: the scaffolder alone, what `npx create-async-server` runs. */
const program = makeNewCommand('create-async-server')
  .version(readOwnVersion(), '-v, --version', 'print the version')
  .option('--debug', 'print stack traces for unexpected errors');
// Not awaited at the top level: this file is bundled as CommonJS (scripts/build.ts); runProgram settles the exit code itself.
void runProgram(program);
