import { Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import { DataSource } from 'typeorm';
import { DatabaseUnavailableError } from '../errors';

/** Liveness and database reachability, for load balancers and humans. */
@Service()
@JsonController('/health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** 200 `{ status: 'ok' }` once `SELECT 1` answers; 503 `database_unavailable` otherwise. */
  @Get()
  async health(): Promise<{ status: 'ok' }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch (cause) {
      throw new DatabaseUnavailableError({ cause });
    }
    return { status: 'ok' };
  }
}
