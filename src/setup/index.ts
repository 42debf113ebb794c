export { authFor } from './auth-for';
export { setupAuth } from './setup-auth';
export type { AuthSetup, SetupAuthInput } from './setup-auth';
export type { AuthStatus } from './status';
