import { AUTH_ENTITIES, AuthTokenEntity, TokenStore } from '../../src';
import { closeDataSource, openDataSource } from '../support/engines';
import { coreSuite } from './conformance/core';
import { describeStoreConformance, type OpenStore } from './conformance/harness';
import { rotationSuite } from './conformance/rotation';
import { sessionSuite } from './conformance/sessions';
import { singleUseSuite } from './conformance/single-use';

/** The TypeORM store on a fresh, isolated database of the engine. */
export const openTypeOrmStore: OpenStore = async (engine) => {
  const ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
  return {
    store: new TokenStore(ds),
    tokenRows: async (userId) =>
      (await ds.getRepository(AuthTokenEntity).findBy({ userId }))
        .filter((row) => row.userId === userId)
        .map(({ jti, type, sessionId, replacedBy, revokedAt }) => ({
          jti,
          type,
          sessionId,
          replacedBy,
          revokedAt,
        })),
    close: () => closeDataSource(ds),
  };
};

describeStoreConformance('token store (TypeORM)', openTypeOrmStore, [
  coreSuite,
  rotationSuite,
  sessionSuite,
  singleUseSuite,
]);
