import { JwtService } from '@nestjs/jwt';

/** Claims of a Mosaic bearer token. Roles are deliberately absent: they are read per request. */
export interface TokenClaims {
  /** The user name (unique). */
  sub: string;
}

export const TOKEN_ISSUER = 'mosaic';

/**
 * Signs and verifies bearer tokens (HS256, RFC 7519) with the same options in the API server and in
 * the `mosaic token` command, so a token minted on the server's host is accepted by the server.
 */
export class BearerTokens {
  private readonly jwt: JwtService;

  constructor(signingKey: string) {
    this.jwt = new JwtService({
      secret: signingKey,
      signOptions: { algorithm: 'HS256', issuer: TOKEN_ISSUER },
      verifyOptions: { algorithms: ['HS256'], issuer: TOKEN_ISSUER },
    });
  }

  issue(username: string, ttlSeconds: number): string {
    return this.jwt.sign({ sub: username } satisfies TokenClaims, { expiresIn: ttlSeconds });
  }

  verify(token: string): TokenClaims {
    return this.jwt.verify<TokenClaims>(token);
  }
}
