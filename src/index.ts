/**
 * routing-controllers-auth: stateful JWT authentication and authorization for
 * routing-controllers on Express.
 *
 * @packageDocumentation
 */
export * from './config';
export * from './errors';
export * from './passwords';
export * from './tokens';
export * from './users';
