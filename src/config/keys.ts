import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type KeyObject,
} from 'node:crypto';
import { AuthConfigError } from '../errors/config-error';
import type { JwtAlgorithm } from './options';
import { checkSecretStrength } from './secret-strength';
import type { ResolvedKeys } from './resolved';

/** Algorithms accepted in configuration. */
export const SUPPORTED_ALGORITHMS: readonly JwtAlgorithm[] = [
  'HS256',
  'HS384',
  'HS512',
  'ES256',
  'ES384',
  'PS256',
];

const MIN_HMAC_BYTES = 32;
const CURVES: Partial<Record<JwtAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1' };

/** Whether an algorithm is an HMAC one. */
export function isHmac(algorithm: JwtAlgorithm): boolean {
  return algorithm.startsWith('HS');
}

function secretKey(key: string, value: string | KeyObject | undefined): KeyObject {
  if (value === undefined || value === '') {
    throw new AuthConfigError(
      key,
      'an HMAC secret is required. Set AUTH_SECRET_KEY to at least 32 random bytes, e.g. ' +
        `the output of: node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`,
    );
  }
  const keyObject = typeof value === 'string' ? createSecretKey(Buffer.from(value, 'utf8')) : value;
  if (keyObject.type !== 'secret') {
    throw new AuthConfigError(key, 'an HS algorithm needs a secret key, not a public/private key.');
  }
  const size = keyObject.symmetricKeySize ?? 0;
  if (size < MIN_HMAC_BYTES) {
    throw new AuthConfigError(
      key,
      `the HMAC secret is ${size} bytes; at least ${MIN_HMAC_BYTES} random bytes are required.`,
    );
  }
  checkSecretStrength(key, keyObject.export());
  return keyObject;
}

function checkAsymmetric(key: string, algorithm: JwtAlgorithm, keyObject: KeyObject): void {
  const type = keyObject.asymmetricKeyType;
  if (algorithm === 'PS256') {
    if (type !== 'rsa' && type !== 'rsa-pss') {
      throw new AuthConfigError(key, 'PS256 needs an RSA key.');
    }
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048)
      throw new AuthConfigError(key, 'PS256 needs an RSA key of at least 2048 bits.');
    return;
  }
  const curve = keyObject.asymmetricKeyDetails?.namedCurve;
  if (type !== 'ec' || curve !== CURVES[algorithm]) {
    throw new AuthConfigError(
      key,
      `${algorithm} needs an EC key on curve ${String(CURVES[algorithm])}.`,
    );
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key. */
function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function toPublicKey(key: string, value: string | KeyObject): KeyObject {
  try {
    const keyObject = typeof value === 'string' ? createPublicKey(value) : value;
    return keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
  } catch (cause) {
    throw Object.assign(new AuthConfigError(key, 'not a readable public key (PEM expected).'), {
      cause,
    });
  }
}

/** Inputs to {@link resolveKeys}, already merged from options and environment. */
export interface KeyInputs {
  algorithm: JwtAlgorithm;
  secretKey: string | KeyObject | undefined;
  refreshSecretKey: string | KeyObject | undefined;
  privateKey: string | KeyObject | undefined;
  keyId: string | undefined;
  verificationKeys: Record<string, string | KeyObject>;
}

/** Turns configured key material into KeyObjects once, refusing weak or mismatched keys. */
export function resolveKeys(inputs: KeyInputs): ResolvedKeys {
  const { algorithm } = inputs;
  if (isHmac(algorithm)) {
    const access = secretKey('secretKey', inputs.secretKey);
    const refresh =
      inputs.refreshSecretKey === undefined
        ? access
        : secretKey('refreshSecretKey', inputs.refreshSecretKey);
    return {
      algorithm,
      accessSigningKey: access,
      refreshSigningKey: refresh,
      accessVerifyKey: access,
      refreshVerifyKey: refresh,
      keyId: undefined,
      verificationKeys: new Map(),
    };
  }
  if (inputs.privateKey === undefined || inputs.privateKey === '') {
    throw new AuthConfigError(
      'privateKey',
      `${algorithm} needs a private key: set AUTH_PRIVATE_KEY (PEM) or the privateKey option.`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey =
      typeof inputs.privateKey === 'string'
        ? createPrivateKey(inputs.privateKey)
        : inputs.privateKey;
  } catch (cause) {
    throw Object.assign(
      new AuthConfigError('privateKey', 'not a readable private key (PEM expected).'),
      {
        cause,
      },
    );
  }
  if (privateKey.type !== 'private') {
    throw new AuthConfigError(
      'privateKey',
      `${algorithm} needs a private key, not a ${privateKey.type} key.`,
    );
  }
  checkAsymmetric('privateKey', algorithm, privateKey);
  const publicKey = createPublicKey(privateKey);
  const keyId = inputs.keyId ?? thumbprint(publicKey);
  const verificationKeys = new Map<string, KeyObject>();
  for (const [kid, value] of Object.entries(inputs.verificationKeys)) {
    const keyObject = toPublicKey(`verificationKeys.${kid}`, value);
    checkAsymmetric(`verificationKeys.${kid}`, algorithm, keyObject);
    verificationKeys.set(kid, keyObject);
  }
  verificationKeys.set(keyId, publicKey);
  return {
    algorithm,
    accessSigningKey: privateKey,
    refreshSigningKey: privateKey,
    accessVerifyKey: publicKey,
    refreshVerifyKey: publicKey,
    keyId,
    verificationKeys,
  };
}
