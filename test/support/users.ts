import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type Repository } from 'typeorm';
import { BaseUserAuthentication, type LoginCredentials } from '../../src';

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
