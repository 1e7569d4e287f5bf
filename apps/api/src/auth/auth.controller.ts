import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { User } from '@mosaic/persistence';
import { AuthError, AuthErrorCode } from './auth.errors';
import { Public } from './authorize.decorator';
import { TokenRequestDto, TokenResponseDto } from './dto/token-request.dto';
import { verifyPassword } from '@mosaic/auth';
import { TokenService } from './token.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  /** Exchanges a username and password for a bearer JWT. */
  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  async token(@Body() body: TokenRequestDto): Promise<TokenResponseDto> {
    const user = await this.dataSource.getRepository(User).findOneBy({ username: body.username });
    // Same answer for an unknown user and a wrong password, so user names cannot be probed.
    if (!user || user.disabled || !(await verifyPassword(body.password, user.passwordHash))) {
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'unknown user name or wrong password');
    }
    const { accessToken, expiresIn } = this.tokens.issue(user.username);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}
