import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Role } from '@mosaic/domain';

/** A person or system that calls the API. Passwords are stored as scrypt hashes only. */
@Entity({ name: 'users' })
@Unique('uq_users_username', ['username'])
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id: string;

  @Column({ name: 'username', type: 'varchar', length: 100 })
  username: string;

  /** `scrypt$N$r$p$salt$hash`, base64 parts. */
  @Column({ name: 'password_hash', type: 'varchar', length: 300 })
  passwordHash: string;

  @Column({ name: 'roles', type: 'varchar', length: 20, array: true })
  roles: Role[];

  @Column({ name: 'disabled', type: 'boolean', default: false })
  disabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
