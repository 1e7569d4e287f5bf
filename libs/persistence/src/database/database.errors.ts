export enum DatabaseErrorCode {
  DataDirectoryLocked = 'DATA_DIRECTORY_LOCKED',
  SessionBusy = 'SESSION_BUSY',
  SchemaDrift = 'SCHEMA_DRIFT',
  Unreachable = 'UNREACHABLE',
}

export class DatabaseError extends Error {
  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}
