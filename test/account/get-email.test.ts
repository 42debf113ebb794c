import express, { type Express } from 'express';
import { useContainer, useExpressServer } from 'routing-controllers';
import request from 'supertest';
import { Container } from 'typedi';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_ENTITIES,
  AuthController,
  BaseUserAuthentication,
  setupAuth,
  type AccountMail,
  type AuthSetup,
  type LoginCredentials,
  type NewUser,
  type UserChanges,
} from '../../src';
import { TEST_SECRET } from '../support/clock';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';

/** A newcomer's own model: a UUID id and the address in `mail`, not `email`. */
@Entity('mail_users')
class MailUser {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 191, unique: true }) mail!: string;
  @Column({ type: 'varchar', length: 100 }) passwordHash!: string;
  @Column({ type: 'boolean', default: true }) isActive!: boolean;
  @Column({ type: 'boolean', default: false }) isVerified!: boolean;
}

/** Every account method, but `getEmail` left at its default (which reads `user.email`). */
class MailAuth extends BaseUserAuthentication<MailUser> {
  constructor(readonly repo: Repository<MailUser>) {
    super();
  }
  async authenticate({ username, password }: LoginCredentials): Promise<MailUser | null> {
    const user = await this.findByEmail(username.toLowerCase());
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }
  getUserById(id: string): Promise<MailUser | null> {
    return this.repo.findOneBy({ id });
  }
  getUserId(user: MailUser): string {
    return user.id;
  }
  override findByEmail(email: string): Promise<MailUser | null> {
    return this.repo.findOneBy({ mail: email });
  }
  override createUser({ email, passwordHash }: NewUser): Promise<MailUser> {
    return this.repo.save(this.repo.create({ mail: email, passwordHash }));
  }
  override async updateUser(user: MailUser, changes: UserChanges): Promise<MailUser> {
    const { email, passwordHash, isActive, isVerified } = changes;
    const set = { mail: email, passwordHash, isActive, isVerified };
    const present = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
    await this.repo.update({ id: user.id }, present);
    return Object.assign(user, present);
  }
  override async deleteUser(user: MailUser): Promise<void> {
    await this.repo.delete({ id: user.id });
  }
}

/** The same bridge with the override the warning asks for. */
class FixedMailAuth extends MailAuth {
  override getEmail(user: MailUser): string {
    return user.mail;
  }
}

interface MailApp {
  app: Express;
  auth: AuthSetup<MailUser>;
  outbox: AccountMail[];
  warnings: string[];
}

function mailApp(ds: DataSource, bridge: MailAuth): MailApp {
  const outbox: AccountMail[] = [];
  const warnings: string[] = [];
  useContainer(Container);
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: bridge,
    options: { secretKey: TEST_SECRET, bcryptCost: 4 },
    mailer: { send: (message) => void outbox.push(message) },
    logWarning: (message) => warnings.push(message),
    registerInContainer: false,
  });
  const app = express();
  useExpressServer(
    app,
    auth.serverOptionsWith({ controllers: [AuthController, ...auth.accountControllers] }),
  );
  return { app, auth, outbox, warnings };
}

/** One request for an emailed token: its status and body, for comparison. */
async function ask(app: Express, path: string, email: string): Promise<[number, string]> {
  const res = await request(app).post(path).send({ email });
  return [res.status, res.text];
}

const ROUTES = ['/auth/forgot-password', '/auth/request-verify-token'];

describeEngines('a model without an `email` field and the default getEmail', (engine) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource(engine, { entities: [MailUser, ...AUTH_ENTITIES] });
    const repo = ds.getRepository(MailUser);
    await repo.save(repo.create({ mail: 'ann@example.com', passwordHash: 'x' }));
  });
  afterAll(() => closeDataSource(ds));

  describe('getEmail left at its default', () => {
    let m: MailApp;
    beforeAll(() => {
      m = mailApp(ds, new MailAuth(ds.getRepository(MailUser)));
    });

    it('answers a registered address exactly as an unknown one, mails nothing, warns once', async () => {
      expect(m.warnings).toEqual([]); // nothing at setup: the bridge has every account method
      for (const path of ROUTES) {
        const known = await ask(m.app, path, 'ann@example.com');
        const unknown = await ask(m.app, path, 'nobody@example.com');
        expect(known).toEqual([202, '']);
        expect(known).toEqual(unknown);
      }
      await m.auth.account.idle();
      expect(m.outbox).toEqual([]);
      expect(m.warnings).toHaveLength(1);
      const [warning] = m.warnings;
      expect(warning).toContain('MailAuth.getEmail(user) gave null for a user your bridge found');
      expect(warning).toContain('The default getEmail reads user.email');
      expect(warning).toContain('override getEmail(user)');
      expect(m.auth.status().problems).toEqual([warning]);
    });

    it('later requests do not repeat the warning', async () => {
      expect(await ask(m.app, '/auth/forgot-password', 'ann@example.com')).toEqual([202, '']);
      await m.auth.account.idle();
      expect(m.warnings).toHaveLength(1);
    });
  });

  describe('getEmail overridden as the warning says', () => {
    let m: MailApp;
    beforeAll(() => {
      m = mailApp(ds, new FixedMailAuth(ds.getRepository(MailUser)));
    });

    it('mails the reset and verify tokens, and warns about nothing', async () => {
      for (const path of ROUTES) {
        expect(await ask(m.app, path, 'ann@example.com')).toEqual([202, '']);
      }
      await m.auth.account.idle();
      // Both mails run off the request path: their order is not the requests'.
      const sent = m.outbox.map(({ to, kind }) => ({ to, kind }));
      expect(sent.sort((x, y) => x.kind.localeCompare(y.kind))).toEqual([
        { to: 'ann@example.com', kind: 'reset' },
        { to: 'ann@example.com', kind: 'verify' },
      ]);
      expect(m.warnings).toEqual([]);
      expect(m.auth.status().problems).toEqual([]);
    });
  });
});
