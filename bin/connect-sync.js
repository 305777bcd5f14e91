#!/usr/bin/env node
// Runs the TypeScript CLI directly: the supported Node this package installs strips types itself.
import '../src/cli.ts';
