// The HTTP test helpers, one module: coded-error assertions, cookies, logins and pairs, raw
// requests, servers, and the security suites' refusal records. Import from here.
export { anyNumber, anyString, CHALLENGES, expectCoded, expectError, type Reply } from './errors';
export {
  browserLogin,
  cookieHeader,
  cookieLogin,
  cookieValue,
  loginCookies,
  sessionCookies,
  setCookieLines,
  setCookies,
  type BrowserSession,
  type CookieSession,
  type SetCookie,
} from './cookies';
export {
  bearer,
  expectPair,
  JWT_SHAPE,
  loginPair,
  me,
  refreshByBearer,
  sidOf,
  withHeaders,
  type PairBody,
  type Target,
} from './logins';
export { rawRequest } from './raw';
export {
  expectAccepted,
  expectNodeRefused,
  expectNoLeak,
  expectRefused,
  recordFuzz,
  securityTally,
  useSecurityApp,
  type Refusal,
  type SecurityApp,
  type Tally,
} from './refusals';
export { close, listen, useTestApp } from './servers';
export { startExample, stopExample, TEST_OPTIONS, type ExampleHarness } from './example';
