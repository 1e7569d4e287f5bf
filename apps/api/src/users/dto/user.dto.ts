import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Role } from '@mosaic/domain';
import type { User } from '@mosaic/persistence';

export class CreateUserDto {
  @ApiProperty({ example: 'dr.lee' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,99}$/, {
    message: 'username must be 2–100 lower-case letters, digits, dots, dashes or underscores',
  })
  username: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12)
  @MaxLength(200)
  password: string;

  @ApiProperty({ enum: Role, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles: Role[];
}

export class UserResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: Role, isArray: true }) roles: Role[];
  @ApiProperty() disabled: boolean;
  @ApiProperty() createdAt: string;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      username: user.username,
      roles: user.roles,
      disabled: user.disabled,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
