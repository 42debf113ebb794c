/**
 * The token purposes. No purpose is ever accepted as another: every use checks the `type` claim,
 * and purposes that share no key with each other cannot even pass the signature check (see
 * `TOKEN_PURPOSES`).
 */
export type TokenType = 'access' | 'refresh' | 'verify' | 'reset' | 'mfa';

/** Claims every token of this library carries, verified before any use. */
export interface TokenClaims {
  /** The user's id (`getUserId(user)`, as a string). */
  sub: string;
  /** Unique token id (a lower-case UUID): the key of the token's store row. */
  jti: string;
  /** The token's purpose. */
  type: TokenType;
  /** Session id (a lower-case UUID): every token of one login shares it. */
  sid: string;
  /** Issued at, seconds since the epoch. Never later than now plus the leeway. */
  iat: number;
  /** Expires at, seconds since the epoch. Always present. */
  exp: number;
  /** Issuer. */
  iss: string;
  /** Audience. */
  aud: string | string[];
  /** Refresh tokens: the session generation they belong to (0 at login, +1 per rotation). */
  gen?: number;
  /**
   * Tokens made with an `address` (the verify and reset mails): the SHA-256 (base64url) of the
   * address they were mailed to. The account flows refuse one whose user's address changed.
   */
  adr?: string;
  /** Extra claims allowed by the `extraClaims` option. */
  [claim: string]: unknown;
}

/** Claims of a validated access token. */
export interface AccessClaims extends TokenClaims {
  /** Always `"access"`. */
  type: 'access';
}

/** Claims of a validated refresh token. */
export interface RefreshClaims extends TokenClaims {
  /** Always `"refresh"`. */
  type: 'refresh';
}

/** Claims of a validated single-use token (`verify`, `reset` or `mfa`). */
export interface SingleUseClaims<
  T extends 'verify' | 'reset' | 'mfa' = 'verify' | 'reset' | 'mfa',
> extends TokenClaims {
  /** The purpose. */
  type: T;
}

/** Claims for a given token type. */
export type ClaimsOf<T extends TokenType> = T extends 'access'
  ? AccessClaims
  : T extends 'refresh'
    ? RefreshClaims
    : T extends 'verify' | 'reset' | 'mfa'
      ? SingleUseClaims<T>
      : never;
