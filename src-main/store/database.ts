import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  /** Electron needs a binding built for its own ABI; the CLI uses the default one. */
  nativeBinding?: string;
}

/**
 * Opens (creating if needed) the experiment database, in WAL mode, migrated to the latest schema.
 * A file that is not a database, or a folder we cannot write, fails with a message naming the
 * path; the file is never replaced or truncated.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (existsSync(file)) accessSync(file, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new StoreError(`data home ${dir} is not writable: ${(err as Error).message}`);
  }
  let db: Db;
  try {
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new StoreError(
      `cannot open the experiment database ${file}: ${(err as Error).message}. ` +
        'The file was left untouched; move it away to start a fresh store, or restore a backup.',
    );
  }
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw new StoreError(`cannot migrate the experiment database ${file}: ${(err as Error).message}`);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every pending migration, each in its own immediate transaction together with the version
 * bump. The version is read again inside the transaction, so two processes opening a new home at
 * the same moment apply each migration once.
 */
export function migrate(db: Db, migrations: readonly string[] = MIGRATIONS): number {
  const check = (current: number): void => {
    if (current > migrations.length) {
      throw new StoreError(
        `database schema version ${current} is newer than this workbench knows (${migrations.length}); update the workbench`,
      );
    }
  };
  check(schemaVersion(db));
  for (;;) {
    const applied = db
      .transaction(() => {
        const v = schemaVersion(db);
        check(v);
        if (v >= migrations.length) return false;
        db.exec(migrations[v]!);
        db.pragma(`user_version = ${v + 1}`);
        return true;
      })
      .immediate();
    if (!applied) return migrations.length;
  }
}
