// Child-process entry of one pipeline job: loads TypeScript through tsx (like bin/usibench.js)
// and runs pipeline/worker.ts with the job file given as the only argument.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

register();
const here = path.dirname(fileURLToPath(import.meta.url));
await import(path.join(here, 'worker.ts'));
