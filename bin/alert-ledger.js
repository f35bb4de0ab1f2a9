#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx alert-ledger` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/run.ts');
