import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a BIGINT: the same on SQLite, PostgreSQL and MariaDB,
 * no time-zone conversion, and compared against the library's own clock (never the database's).
 * pg and mysql2 hand BIGINT back as strings; this turns them into numbers.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
