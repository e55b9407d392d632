'use strict';
// Loads the compiled addon. Throws when it was not built (no compiler or BLAS at install time);
// engine/native-backend.ts catches that and reports the backend as unavailable.
const path = require('node:path');
module.exports = require(path.join(__dirname, 'build', 'Release', 'usibench_native.node'));
