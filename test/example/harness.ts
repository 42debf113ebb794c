// Kept importable for the tests written against it; the helpers live in `test/support/http`.
// `setCookies` here is the raw-line form (`setCookieLines` there); `login` is `loginPair`.
export {
  anyNumber,
  anyString,
  bearer,
  expectCoded,
  loginPair as login,
  setCookieLines as setCookies,
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
  type PairBody,
} from '../support/http';
