#!/usr/bin/env node
// Entry point for `npx crier` and `npm start`. The code is TypeScript run through tsx,
// so there is no build step between a clone and a running dispatcher.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
