import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../common/errors.js';
import { parsePort } from './serve.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'usibench.js');

describe('usibench serve: bad input', () => {
  it('accepts ports 1..65535 and rejects the rest as usage errors', () => {
    expect(parsePort('3000')).toBe(3000);
    expect(parsePort('65535')).toBe(65535);
    for (const port of ['0', '70000', 'http', '80.5', '-1', '']) {
      let caught: unknown;
      try {
        parsePort(port);
      } catch (err) {
        caught = err;
      }
      expect(isUsageError(caught), port).toBe(true);
    }
  });

  it('reports a bad port in one line with exit 2, before building anything', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', 'http'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('usibench: --port http is not a port number; use an integer from 1 to 65535');
  });
});
