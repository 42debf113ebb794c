// The HTTP test helpers, one module: coded-error assertions, cookies, logins and pairs, raw
// requests, servers, and the security suites' refusal records. Import from here.
// The example app's harness is `./example`, imported on its own: importing the example registers
// its controllers in routing-controllers' global metadata, which files that build their own
// OpenAPI document from that metadata must not see.
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
