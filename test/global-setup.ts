/**
 * End-to-end tests copy lib/ and spawn bin/nodegen.js: build once before any test runs, so an edit
 * under src/ or charts/ is tested as compiled code and no spawned CLI rebuilds mid-test.
 */
import { createRequire } from 'node:module';

export default function setup(): void {
  const require = createRequire(__filename);
  const { ensureFresh } = require('../bin/build.js') as { ensureFresh: () => string | undefined };
  const message = ensureFresh();
  if (message) throw new Error(message);
}
