#!/usr/bin/env node
// Entry point of the `usibench` command: runs the TypeScript CLI through tsx, so no build step
// stands between a `git pull` and a working command.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

register();
const here = path.dirname(fileURLToPath(import.meta.url));
await import(path.join(here, '..', 'cli', 'main.ts'));
