import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Permission } from '@mosaic/domain';
import { Authorize } from '../auth/authorize.decorator';
import { AuditService } from '../audit/audit.service';
import { CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { CreateUserDto, UserResponseDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Authorize(Permission.UserManage)
  @ApiCreatedResponse({ type: UserResponseDto })
  async create(@Body() body: CreateUserDto, @CurrentActor() actor: RequestActor): Promise<UserResponseDto> {
    const user = await this.audit.audited(
      actor,
      (manager) => this.users.create(manager, body.username, body.password, body.roles),
      (created) => ({ action: 'user.create', resourceType: 'User', resourceIds: [created.id] }),
    );
    return UserResponseDto.from(user);
  }

  @Get()
  @Authorize(Permission.UserManage)
  async list(): Promise<UserResponseDto[]> {
    return (await this.users.list()).map((user) => UserResponseDto.from(user));
  }
}
