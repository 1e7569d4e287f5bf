import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Structured JSON logs (pino) with a request id on every line. A request's query string is never
 * logged — patient searches carry names and MRNs there — and neither are bodies or credentials.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Every route, in path-to-regexp 8 syntax: the library's default ('*') makes NestJS 11 warn
        // at start that it converted a legacy wildcard.
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.LOG_LEVEL,
          genReqId: (request: IncomingMessage, response: ServerResponse) => {
            const offered = request.headers['x-request-id'];
            const id =
              typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
            response.setHeader('X-Request-Id', id);
            return id;
          },
          serializers: {
            req: (request: { id: string; method: string; url: string }) => ({
              id: request.id,
              method: request.method,
              path: request.url.split('?')[0],
            }),
            res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
          },
          redact: { paths: ['req.headers', 'res.headers'], remove: true },
          customProps: (request: IncomingMessage & { actor?: { username: string } }) => ({
            actor: request.actor?.username,
          }),
        },
      }),
    }),
  ],
})
export class LoggingModule {}
