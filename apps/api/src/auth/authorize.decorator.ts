import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@mosaic/domain';

export const PERMISSION_KEY = 'mosaic:permission';
export const PUBLIC_KEY = 'mosaic:public';

/** Declares the permission a route needs; the AuthGuard enforces it. Every route has one or `@Public()`. */
export const Authorize = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** A route anyone may call without a token: health probes and the token exchange only. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
