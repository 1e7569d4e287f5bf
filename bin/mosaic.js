#!/usr/bin/env node
// `npx mosaic <command>`: the Mosaic command line (docs/cli.md).
require('../tools/node/register.js');
require('../apps/cli/src/main.ts');
