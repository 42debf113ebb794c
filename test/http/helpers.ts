// Kept importable for the tests written against it; the helpers live in `test/support/http`.
export {
  browserLogin,
  cookieHeader,
  expectError,
  loginPair,
  setCookies,
  sidOf,
  useTestApp,
  type BrowserSession,
  type PairBody,
  type SetCookie,
} from '../support/http';
