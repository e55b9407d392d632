// Plain JavaScript on purpose: a worker thread starts without the parent's TypeScript loader
// (vitest, or node without tsx), so it registers tsx's ESM hooks itself, then loads the TS side.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
