import { Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import { DataSource } from 'typeorm';
import { databaseCall } from '../database';

/** Liveness and database reachability, for load balancers and humans. */
@Service()
@JsonController('/health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** 200 `{ status: 'ok' }` once `SELECT 1` answers; 503 `database_unavailable` otherwise. */
  @Get()
  async health(): Promise<{ status: 'ok' }> {
    await databaseCall(() => this.dataSource.query('SELECT 1'));
    return { status: 'ok' };
  }
}
