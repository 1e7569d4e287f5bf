import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { rolesGrant } from '@mosaic/domain';
import type { Permission } from '@mosaic/domain';
import { User } from '@mosaic/persistence';
import type { AuthenticatedRequest } from '../common/context/request-actor';
import { AuthError, AuthErrorCode } from './auth.errors';
import { PERMISSION_KEY, PUBLIC_KEY } from './authorize.decorator';
import { TokenService } from './token.service';

/**
 * The one auth guard, registered globally: a route is public only if it says so; every other route
 * needs a valid bearer token of an enabled user whose roles grant the route's declared permission.
 * A route that declares no permission is refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { headers: Record<string, string> }>();
    const header = request.headers['authorization'];
    if (!header?.startsWith('Bearer ')) {
      throw new AuthError(
        AuthErrorCode.MissingToken,
        'this route needs a bearer token: POST /api/v1/auth/token with your username and password, then send "Authorization: Bearer <token>"',
      );
    }
    let claims;
    try {
      claims = this.tokens.verify(header.slice('Bearer '.length).trim());
    } catch (error) {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        `the bearer token is not valid: ${(error as Error).message}`,
      );
    }
    const user = await this.dataSource.getRepository(User).findOneBy({ username: claims.sub });
    if (!user || user.disabled) {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'the bearer token belongs to a user that no longer exists or is disabled',
      );
    }
    request.actor = {
      userId: user.id,
      username: user.username,
      roles: user.roles,
      requestId: String(request.id ?? ''),
    };

    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (!permission) {
      throw new AuthError(AuthErrorCode.Forbidden, 'this route declares no permission and is closed');
    }
    if (!rolesGrant(user.roles, permission)) {
      throw new AuthError(
        AuthErrorCode.Forbidden,
        `permission ${permission} is required; your roles (${user.roles.join(', ') || 'none'}) do not grant it`,
      );
    }
    return true;
  }
}
