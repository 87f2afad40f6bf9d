#!/usr/bin/env node
import "../dist/cli/create-async-server.js";
