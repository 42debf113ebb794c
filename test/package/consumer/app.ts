// A consumer of the published package, compiled by test/package/pack.test.ts in a scratch
// directory against the packed tarball (strict, skipLibCheck off). It uses only public names that
// the README documents, so it keeps compiling while the library's internals change.
import 'reflect-metadata';
import bcrypt from 'bcrypt';
import express from 'express';
import { Get, JsonController, useContainer, useExpressServer } from 'routing-controllers';
import { Container, Service } from 'typedi';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import {
  AccessToken,
  AUTH_ENTITIES,
  AuthController,
  BaseUserAuthentication,
  CurrentUser,
  setupAuth,
  type LoginCredentials,
} from 'routing-controllers-auth';

@Entity('consumer_users')
class User {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;
}

class ConsumerAuth extends BaseUserAuthentication<User> {
  constructor(private readonly users: Repository<User>) {
    super();
  }

  async authenticate({ username, password }: LoginCredentials): Promise<User | null> {
    const user = await this.users.findOneBy({ email: username.toLowerCase() });
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }

  getUserById(id: string): Promise<User | null> {
    const n = Number(id);
    return Number.isSafeInteger(n) ? this.users.findOneBy({ id: n }) : Promise.resolve(null);
  }

  getUserId(user: User): number {
    return user.id;
  }
}

// The published types must keep an incomplete bridge from compiling: if they had collapsed to
// `any`, this directive would be unused and the compile would fail.
// @ts-expect-error getUserId is abstract and not implemented
class _IncompleteAuth extends BaseUserAuthentication<User> {
  authenticate(): Promise<User | null> {
    return Promise.resolve(null);
  }

  getUserById(): Promise<User | null> {
    return Promise.resolve(null);
  }
}

interface AccessView {
  sub: string;
  type: string;
}

@Service()
@JsonController('/me')
class MeController {
  @Get('')
  me(@CurrentUser() user: User): { id: number; email: string } {
    return { id: user.id, email: user.email };
  }

  @Get('/claims')
  claims(@AccessToken() claims: AccessView): AccessView {
    return { sub: claims.sub, type: claims.type };
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`set ${name}`);
  return value;
}

async function main(): Promise<void> {
  useContainer(Container);
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [User, ...AUTH_ENTITIES],
    synchronize: true,
  });
  await dataSource.initialize();
  const users = dataSource.getRepository(User);
  const passwordHash = await bcrypt.hash(env('SEED_PASSWORD'), Number(env('AUTH_BCRYPT_COST')));
  await users.save(users.create({ email: env('SEED_EMAIL'), passwordHash }));

  const auth = setupAuth({
    dataSource,
    userAuthentication: new ConsumerAuth(users),
    options: { secretKey: env('AUTH_SECRET_KEY') },
  });

  const app = express();
  useExpressServer(app, { ...auth.serverOptions, controllers: [AuthController, MeController] });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    console.log(`listening on ${address.port}`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
