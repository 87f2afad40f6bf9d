import { Command } from 'commander';
import { makeAddCommand } from '../commands/add.js';
import { makeBenchCommand } from '../commands/bench.js';
import { makeBuildCommand } from '../commands/build.js';
import { makeDevCommand } from '../commands/dev.js';
import { makeLintCommand } from '../commands/lint.js';
import { makeNewCommand } from '../commands/new.js';
import { makeStartCommand } from '../commands/start.js';
import { readOwnVersion } from '../util/package-info.js';
import { runProgram } from './run-program.js';

const program = new Command('asyncsrv')
  .description('Build, run and measure async HTTP services made with create-async-server.')
  .version(readOwnVersion(), '-v, --version', 'print the version')
  .option('--debug', 'print stack traces for unexpected errors')
  .showSuggestionAfterError()
  .addHelpText('after', '\nRun `asyncsrv <command> --help` for the flags of one command.');

program.addCommand(makeNewCommand('new'));
program.addCommand(makeDevCommand());
program.addCommand(makeBenchCommand());
program.addCommand(makeBuildCommand());
program.addCommand(makeStartCommand());
program.addCommand(makeLintCommand());
program.addCommand(makeAddCommand());

// Not awaited at the top level: this file is bundled as CommonJS (scripts/build.ts); runProgram settles the exit code itself.
void runProgram(program);
