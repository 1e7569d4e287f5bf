import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';

export interface TokenClaims {
  /** The user id. */
  sub: string;
  /** The user name, for logs and audit. */
  username: string;
}

/**
 * Signs and verifies bearer tokens (HS256). Roles are not in the token: the guard reads them from
 * the database on each request, so revoking a role or disabling a user takes effect at once.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  issue(claims: TokenClaims): { accessToken: string; expiresIn: number } {
    const expiresIn = this.config.MOSAIC_TOKEN_TTL_SECONDS;
    return { accessToken: this.jwt.sign({ ...claims }, { expiresIn }), expiresIn };
  }

  verify(token: string): TokenClaims {
    return this.jwt.verify<TokenClaims>(token, { algorithms: ['HS256'] });
  }
}
