import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { SourceKind } from '@mosaic/domain';
import type { RecordSource, Role } from '@mosaic/domain';

/** Who is making the request, as established by the AuthGuard from the bearer token. */
export interface RequestActor {
  userId: string;
  username: string;
  roles: Role[];
  /** The request id logged with every line and stored in every audit entry. */
  requestId: string;
}

export type AuthenticatedRequest = { id?: string | number; actor?: RequestActor };

export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestActor => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.actor) throw new Error('CurrentActor used on a route without authentication');
    return request.actor;
  },
);

/** The provenance of a record ingested over REST: the API client's user name. */
export function apiSource(actor: RequestActor): RecordSource {
  return { kind: SourceKind.Api, id: actor.username };
}
