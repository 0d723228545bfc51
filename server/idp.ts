// Tokens from an identity provider (CONTRACT §1 AUTH_JWKS_*, §2 v2): signed with the provider's
// asymmetric keys, published as a JWKS. jose fetches and caches the key set, refetching it when a
// token names a key it does not know (key rotation), at most once per cooldown.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'

/** Asymmetric only: with a public key as an HMAC secret anyone could forge tokens (alg confusion). */
export const IDP_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const

/** A JWKS fetch that takes longer fails the login rather than holding a request or an upgrade. */
const JWKS_TIMEOUT_MS = 3000

export interface IdpOptions {
  jwksUrl: string
  issuer: string
  audience: string
}

export type IdpVerifier = (token: string) => Promise<JWTPayload>

export function createIdpVerifier({ jwksUrl, issuer, audience }: IdpOptions): IdpVerifier {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS })
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, { algorithms: [...IDP_ALGORITHMS], issuer, audience, requiredClaims: ['exp'] })
    return payload
  }
}
