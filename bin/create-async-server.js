#!/usr/bin/env node
// CommonJS (bin/package.json), like the start-up file it loads: Node then does not start its ES
// module loader for `--help`. Node >= 22.1 also keeps compiled code between runs.
require('node:module').enableCompileCache?.();
require('../dist/cli/create-async-server.cjs');
