/**
 * Run by the SIGKILL test in its own process: a nightly with the fake runner that hangs inside a
 * training job after its first checkpointed epoch, so the test can kill it mid-job.
 */
import { validateConfig } from '../config.js';
import { runNightly } from '../nightly.js';
import { FakeRunner, TEST_CONFIG } from './fake-runner.js';

const [dbFile, workDir, marker] = process.argv.slice(2);
// The hung job awaits a promise that never settles; without a live handle Node would exit on its
// own (code 13, unsettled top-level await) instead of staying alive to be SIGKILLed like a real job.
setInterval(() => {}, 60_000);
await runNightly({
  config: validateConfig({ ...TEST_CONFIG, workDir }, 'test'),
  preset: null,
  dbFile,
  jobs: 1,
  codeVersion: 'test-code',
  runner: new FakeRunner({ hangLabel: 'USI mixer_s', hangAfterEpoch: 1, hangMarker: marker }),
});
