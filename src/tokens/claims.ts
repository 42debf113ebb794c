/** The two kinds of token. They are never interchangeable: every use checks the `type` claim. */
export type TokenType = 'access' | 'refresh';

/** Claims every token of this library carries, verified before any use. */
export interface TokenClaims {
  /** The user's id (`getUserId(user)`, as a string). */
  sub: string;
  /** Unique token id: the key of the token's store row. */
  jti: string;
  /** `"access"` or `"refresh"`. */
  type: TokenType;
  /** Session id: every token of one login shares it. */
  sid: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. Always present. */
  exp: number;
  /** Issuer. */
  iss: string;
  /** Audience. */
  aud: string | string[];
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

/** Claims for a given token type. */
export type ClaimsOf<T extends TokenType> = T extends 'access' ? AccessClaims : RefreshClaims;
