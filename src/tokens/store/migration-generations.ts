import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const nullable = { isNullable: true, default: null };

/**
 * Adds what bounded rotation, the reuse grace window, claims carried across refreshes and
 * single-use tokens need: session `kind`, `generation`, `refresh_jti`, `access_jti`, `claims`,
 * and token `generation`. Existing rows become generation 0 of a login session, so tokens issued
 * before the upgrade keep working. Runs after {@link CreateAuthTables1732233600000}.
 */
export class AddSessionGenerations1764547200000 implements MigrationInterface {
  /** Migration name recorded by TypeORM. */
  name = 'AddSessionGenerations1764547200000';

  /** Adds the columns. */
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('auth_sessions', [
      new TableColumn({
        name: 'kind',
        type: 'varchar',
        length: '16',
        isNullable: false,
        default: "'login'",
      }),
      new TableColumn({ name: 'generation', type: 'integer', isNullable: false, default: 0 }),
      new TableColumn({ name: 'refresh_jti', type: 'varchar', length: '36', ...nullable }),
      new TableColumn({ name: 'access_jti', type: 'varchar', length: '36', ...nullable }),
      new TableColumn({ name: 'claims', type: 'text', ...nullable }),
    ]);
    await queryRunner.addColumn(
      'auth_tokens',
      new TableColumn({ name: 'generation', type: 'integer', isNullable: false, default: 0 }),
    );
  }

  /** Drops them again. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('auth_tokens', 'generation');
    for (const column of ['claims', 'access_jti', 'refresh_jti', 'generation', 'kind']) {
      await queryRunner.dropColumn('auth_sessions', column);
    }
  }
}
