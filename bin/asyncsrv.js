#!/usr/bin/env node
import "../dist/cli/asyncsrv.js";
