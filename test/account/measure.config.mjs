// Runs the account measurements (not tests): npx vitest run -c test/account/measure.config.mjs
import base from '../../vitest.config.mts';

export default { ...base, test: { ...base.test, include: ['test/account/*.measure.ts'] } };
