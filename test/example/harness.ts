// Kept importable for the tests written against it; the helpers live in `test/support/http`.
// `setCookies` here is the raw-line form (`setCookieLines` there); `login` is `loginPair`.
export {
  anyNumber,
  anyString,
  bearer,
  expectCoded,
  loginPair as login,
  setCookieLines as setCookies,
  type PairBody,
} from '../support/http';
export {
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
} from '../support/http/example';
