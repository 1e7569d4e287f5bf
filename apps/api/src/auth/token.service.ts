import { Injectable } from '@nestjs/common';
import { BearerTokens, resolveSigningKey } from '@mosaic/auth';
import type { TokenClaims } from '@mosaic/auth';
import { AppConfig } from '../config/app-config';

/**
 * The API's bearer tokens. Roles are not in the token: the guard reads them from the database on
 * each request, so revoking a role or disabling a user takes effect at once.
 */
@Injectable()
export class TokenService {
  private readonly tokens: BearerTokens;

  constructor(private readonly config: AppConfig) {
    this.tokens = new BearerTokens(resolveSigningKey(config.MOSAIC_JWT_SECRET, config.MOSAIC_DATA_DIR));
  }

  issue(username: string): { accessToken: string; expiresIn: number } {
    const expiresIn = this.config.MOSAIC_TOKEN_TTL_SECONDS;
    return { accessToken: this.tokens.issue(username, expiresIn), expiresIn };
  }

  verify(token: string): TokenClaims {
    return this.tokens.verify(token);
  }
}
