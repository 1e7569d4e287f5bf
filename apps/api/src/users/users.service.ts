import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '@mosaic/domain';
import { User } from '@mosaic/persistence';
import { generatePassword, hashPassword } from '@mosaic/auth';
import { UserError, UserErrorCode } from './users.errors';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(private readonly dataSource: DataSource) {}

  async create(manager: EntityManager, username: string, password: string, roles: Role[]): Promise<User> {
    const repository = manager.getRepository(User);
    if (await repository.existsBy({ username })) {
      throw new UserError(UserErrorCode.UsernameTaken, `a user named '${username}' already exists`);
    }
    return repository.save(
      repository.create({ username, passwordHash: await hashPassword(password), roles }),
    );
  }

  list(): Promise<User[]> {
    return this.dataSource.getRepository(User).find({ order: { createdAt: 'ASC' } });
  }

  /**
   * First start: when there are no users at all, create `admin` with a random password and print it
   * once to the console (not to the log). There are no default passwords.
   */
  async bootstrapAdmin(print: (message: string) => void): Promise<void> {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const created = await this.dataSource.transaction(async (manager) => {
      // Replicas may start together: the advisory lock makes only one of them create the admin.
      await manager.query('SELECT pg_advisory_xact_lock(5570426475616216904)');
      if ((await manager.count(User)) > 0) return false;
      await manager.insert(User, { username: 'admin', passwordHash, roles: [Role.Admin] });
      return true;
    });
    if (created) {
      this.logger.log('created the first admin user; its password was printed to the console once');
      print(
        [
          '',
          '  Mosaic created the first administrator account:',
          '    username: admin',
          `    password: ${password}`,
          '  It is shown only this once. Create named users with POST /api/v1/users.',
          '',
        ].join('\n'),
      );
    }
  }
}
