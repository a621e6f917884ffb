#!/usr/bin/env node
// The command line: runs the TypeScript core directly through tsx, so the CLI needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli/index.ts');
