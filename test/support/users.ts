import {
  Column,
  Entity,
  PrimaryGeneratedColumn,
  type DataSource,
  type DeepPartial,
  type Repository,
} from 'typeorm';
import { BaseUserAuthentication, hashPassword, type LoginCredentials } from '../../src';

/** A user table for tests: real TypeORM rows, real bcrypt hashes. */
@Entity({ name: 'test_users' })
export class TestUser {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'varchar', length: 191, unique: true })
  email!: string;

  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'simple-json' })
  permissions!: string[];

  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'boolean', default: false })
  isVerified!: boolean;
}

/** The test app's bridge, written the way the README tells users to write theirs. */
export class TestAuth extends BaseUserAuthentication<TestUser> {
  readonly repo: Repository<TestUser>;

  constructor(dataSource: DataSource) {
    super();
    this.repo = dataSource.getRepository(TestUser);
  }

  async authenticate({ username, password }: LoginCredentials): Promise<TestUser | null> {
    const user = await this.repo.findOneBy({ email: username });
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }

  getUserById(id: string): Promise<TestUser | null> {
    const numeric = Number(id);
    return Number.isSafeInteger(numeric)
      ? this.repo.findOneBy({ id: numeric })
      : Promise.resolve(null);
  }

  getUserId(user: TestUser): number {
    return user.id;
  }

  override async updatePasswordHash(user: TestUser, newHash: string): Promise<void> {
    await this.repo.update({ id: user.id }, { passwordHash: newHash });
  }
}

/** The columns the test tables share: {@link TestUser} and the library's `AuthUser`. */
export interface UserRow {
  email: string;
  passwordHash: string;
  roles: string[];
  permissions: string[];
  isActive: boolean;
  isVerified: boolean;
}

/**
 * Makes users straight in `repo` (no route): an active, unverified `user` with a cost-4 bcrypt
 * hash of `password`, `fields` on top.
 */
export function userMaker<U extends UserRow>(
  repo: Repository<U>,
): (email: string, password: string, fields?: Partial<U>) => Promise<U> {
  return async (email, password, fields = {}) =>
    repo.save(
      repo.create({
        email,
        passwordHash: await hashPassword(password, 4),
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
        ...fields,
      } as unknown as DeepPartial<U>),
    );
}
