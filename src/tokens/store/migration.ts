import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const bigint = (name: string, isNullable = false) => ({
  name,
  type: 'bigint',
  isNullable,
  ...(isNullable ? { default: null } : {}),
});
const nullable = { isNullable: true, default: null };

/**
 * Creates `auth_sessions` and `auth_tokens` with their indexes, for DataSources run with
 * `synchronize: false`. Portable across SQLite, PostgreSQL and MariaDB/MySQL.
 *
 * @example
 * ```ts
 * new DataSource({ ..., entities: [...AUTH_ENTITIES], migrations: [...AUTH_MIGRATIONS] });
 * await dataSource.runMigrations();
 * ```
 */
export class CreateAuthTables1732233600000 implements MigrationInterface {
  /** Migration name recorded by TypeORM. */
  name = 'CreateAuthTables1732233600000';

  /** Creates both tables and their indexes. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'auth_sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '191' },
          bigint('created_at'),
          bigint('last_used_at'),
          bigint('expires_at'),
          bigint('revoked_at', true),
          { name: 'user_agent', type: 'varchar', length: '512', ...nullable },
          { name: 'ip', type: 'varchar', length: '64', ...nullable },
        ],
      }),
      true,
    );
    await queryRunner.createIndices('auth_sessions', [
      new TableIndex({ name: 'idx_auth_sessions_user_id', columnNames: ['user_id'] }),
      new TableIndex({ name: 'idx_auth_sessions_expires_at', columnNames: ['expires_at'] }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'auth_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '36', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36' },
          { name: 'user_id', type: 'varchar', length: '191' },
          { name: 'type', type: 'varchar', length: '16' },
          bigint('created_at'),
          bigint('expires_at'),
          bigint('revoked_at', true),
          { name: 'replaced_by', type: 'varchar', length: '36', ...nullable },
        ],
      }),
      true,
    );
    await queryRunner.createIndices('auth_tokens', [
      new TableIndex({ name: 'idx_auth_tokens_session_id', columnNames: ['session_id'] }),
      new TableIndex({ name: 'idx_auth_tokens_user_id', columnNames: ['user_id'] }),
      new TableIndex({ name: 'idx_auth_tokens_expires_at', columnNames: ['expires_at'] }),
    ]);
  }

  /** Drops both tables. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('auth_tokens', true);
    await queryRunner.dropTable('auth_sessions', true);
  }
}
