export { AuthFlows } from './auth-flows';
export type { ClientInfo } from './deps';
export type { AuthContext } from './identify';
export type { CallerSession } from './sessions';
export { MAX_IDENTIFIER_LENGTH, readCredentials } from './credentials';
