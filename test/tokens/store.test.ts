import { AUTH_ENTITIES, AuthTokenEntity, TokenStore } from '../../src';
import { closeDataSource, openDataSource } from '../support/engines';
import { coreSuite } from './conformance/core';
import { describeStoreConformance, type OpenStore } from './conformance/harness';

/** The TypeORM store on a fresh, isolated database of the engine. */
export const openTypeOrmStore: OpenStore = async (engine) => {
  const ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
  return {
    store: new TokenStore(ds),
    tokenRows: async (userId) =>
      (await ds.getRepository(AuthTokenEntity).findBy({ userId }))
        .filter((row) => row.userId === userId)
        .map(({ jti, type, sessionId, replacedBy }) => ({ jti, type, sessionId, replacedBy })),
    close: () => closeDataSource(ds),
  };
};

describeStoreConformance('token store (TypeORM)', openTypeOrmStore, [coreSuite]);
