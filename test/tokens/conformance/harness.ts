import { beforeAll, afterAll, beforeEach, expect } from 'vitest';
import {
  AuthError,
  resolveAuthConfig,
  TokenService,
  type AuthOptions,
  type TokenClaims,
  type TokenStorePort,
} from '../../../src';
import { TEST_SECRET, testClock, type TestClock } from '../../support/clock';
import { describeEngines, type EngineName } from '../../support/engines';
import { claimsOf } from '../../support/forge';

/** A token row as a conformance test may inspect it, whatever the store keeps it in. */
export interface TokenRowView {
  jti: string;
  type: string;
  sessionId: string;
  replacedBy: string | null;
  revokedAt: number | null;
}

/** One store implementation opened on one engine. */
export interface StoreFixture {
  /** The implementation under test. */
  store: TokenStorePort;
  /** Every token row of a user, as stored (for row counts and raw-token checks). */
  tokenRows(userId: string): Promise<TokenRowView[]>;
  /** Closes and drops what {@link OpenStore} made. */
  close(): Promise<void>;
}

/** Opens an implementation on an engine (a fresh, isolated database). */
export type OpenStore = (engine: EngineName) => Promise<StoreFixture>;

/** What every conformance suite gets. */
export interface Conformance {
  engine: EngineName;
  fixture(): StoreFixture;
  clock(): TestClock;
  /** The default service of the test (extraClaims `email`, `impersonated_by`). */
  tokens(): TokenService;
  /** A service on the same store and clock with other options. */
  service(options?: AuthOptions): TokenService;
}

/** A suite of conformance tests: registers `it`s. */
export type ConformanceSuite = (t: Conformance) => void;

/**
 * Runs the suites against one implementation on every engine: the contract every
 * {@link TokenStorePort} keeps, checked through the `TokenService` users actually call.
 */
export function describeStoreConformance(
  name: string,
  open: OpenStore,
  suites: readonly ConformanceSuite[],
): void {
  describeEngines(name, (engine) => {
    let fixture: StoreFixture | undefined;
    let clock = testClock();
    let tokens: TokenService | undefined;
    const service = (options: AuthOptions = {}): TokenService => {
      if (fixture === undefined) throw new Error('the store is not open yet');
      return new TokenService(
        fixture.store,
        resolveAuthConfig(
          {
            secretKey: TEST_SECRET,
            now: clock.now,
            extraClaims: ['email', 'impersonated_by'],
            ...options,
          },
          {},
        ),
      );
    };
    beforeAll(async () => {
      fixture = await open(engine);
    });
    afterAll(async () => {
      await fixture?.close();
    });
    beforeEach(() => {
      clock = testClock();
      tokens = service();
    });
    const t: Conformance = {
      engine,
      fixture: () => {
        if (fixture === undefined) throw new Error('the store is not open yet');
        return fixture;
      },
      clock: () => clock,
      tokens: () => {
        if (tokens === undefined) throw new Error('no service yet');
        return tokens;
      },
      service,
    };
    for (const suite of suites) suite(t);
  });
}

/** The claims of a token, decoded without any check. */
export function payloadOf(token: string): TokenClaims {
  return claimsOf(token).payload as unknown as TokenClaims;
}

/** The code of the AuthError a promise rejects with, or `"resolved"`. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
  return 'resolved';
}

export const DAY = 86_400_000;
