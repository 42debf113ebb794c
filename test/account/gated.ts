import request from 'supertest';
import { expect } from 'vitest';
import {
  AuthUser,
  TypeOrmUserAuthentication,
  type AuthOptions,
  type LoginCredentials,
  type UserChanges,
} from '../../src';
import type { EngineName } from '../support/engines';
import { buildAccountApp, signIn, type AccountApp } from './support';

/** A point a flow stops at until the test opens it: `reached` once it waits, `open()` to go on. */
export interface Gate {
  reached: Promise<void>;
  open: () => void;
  /** What the waiting flow calls. */
  wait: () => Promise<void>;
}

/** A closed {@link Gate}. */
export function gate(): Gate {
  let arrive = (): void => undefined;
  let open = (): void => undefined;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    reached,
    open,
    wait: () => {
      arrive();
      return opened;
    },
  };
}

/**
 * The ready bridge, with stops the tests arm: after `authenticate` checked the password (the
 * login's bcrypt is over, its session not started), before `updateUser` sets the verified flag,
 * and before `updateUser` writes a new address. Each stop holds the first call after it is armed,
 * then disarms.
 */
export class GatedAuth extends TypeOrmUserAuthentication<AuthUser> {
  login: Gate | null = null;
  verified: Gate | null = null;
  address: Gate | null = null;

  override async authenticate(credentials: LoginCredentials): Promise<AuthUser | null> {
    const user = await super.authenticate(credentials);
    const stop = this.login;
    this.login = null;
    if (stop !== null) await stop.wait();
    return user;
  }

  override async updateUser(user: AuthUser, changes: UserChanges): Promise<AuthUser> {
    if (changes.isVerified === true && this.verified !== null) {
      const stop = this.verified;
      this.verified = null;
      await stop.wait();
    }
    if (changes.email !== undefined && this.address !== null) {
      const stop = this.address;
      this.address = null;
      await stop.wait();
    }
    return super.updateUser(user, changes);
  }
}

/** An {@link AccountApp} on the {@link GatedAuth} bridge, with a signed-in admin. */
export interface GatedApp {
  a: AccountApp;
  bridge: GatedAuth;
  /** An access token of `admin@example.com` (`users:read`, `users:write`). */
  admin: string;
  /** POST with a JSON body. */
  post: (path: string, body: object) => request.Test;
  /** The token of the last mail of `kind` to `to` (after the mail started so far went out). */
  lastMail: (to: string, kind: 'verify' | 'reset') => Promise<string>;
}

/** Builds a {@link GatedApp} on `engine`. */
export async function buildGatedApp(
  engine: EngineName,
  options: AuthOptions = {},
): Promise<GatedApp> {
  const built: GatedAuth[] = [];
  const a = await buildAccountApp(engine, options, {
    bridge: (repo) => {
      const made = new GatedAuth(repo);
      built.push(made);
      return made;
    },
  });
  const [bridge] = built;
  if (bridge === undefined) throw new Error('the bridge was not built');
  await a.make('admin@example.com', 'admin-password-1', {
    roles: ['admin'],
    permissions: ['users:read', 'users:write'],
  });
  const admin = (await signIn(a.app, 'admin@example.com', 'admin-password-1')).access;
  return {
    a,
    bridge,
    admin,
    post: (path, body) => request(a.app).post(path).send(body),
    lastMail: async (to, kind) => {
      const mails = await a.mails(to, kind);
      expect(mails.length).toBeGreaterThan(0);
      return mails[mails.length - 1]?.token ?? '';
    },
  };
}
