#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 keeps compiled code between runs (Node 20 has no such API): a faster cold start.
module.enableCompileCache?.();
await import('../dist/cli/asyncsrv.js');
