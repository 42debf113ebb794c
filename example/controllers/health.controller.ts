import type { Request } from 'express';
import { Get, JsonController, Req } from 'routing-controllers';
import { Service } from 'typedi';
import { contextOf } from '../context';
import { databaseCall } from '../database';

/** Liveness and database reachability, for load balancers and humans. */
@Service()
@JsonController('/health')
export class HealthController {
  /** 200 `{ status: 'ok' }` once `SELECT 1` answers; 503 `database_unavailable` otherwise. */
  @Get()
  async health(@Req() req: Request): Promise<{ status: 'ok' }> {
    const { dataSource } = contextOf(req);
    await databaseCall(() => dataSource.query('SELECT 1'));
    return { status: 'ok' };
  }
}
