export { setupAuth } from './setup-auth';
export type { AuthSetup, SetupAuthInput } from './setup-auth';
export { authStatus } from './status';
export type { AuthStatus } from './status';
