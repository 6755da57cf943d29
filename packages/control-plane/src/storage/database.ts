/**
 * Which database the repository runs on, and every difference between the two, here and nowhere else:
 *
 * - Connections: SQLite is one better-sqlite3 handle in WAL mode, its queries queued and its statements prepared once
 *   (kysely's SqliteDialect, with the three changes below); PostgreSQL is a pg Pool through kysely's PostgresDialect.
 * - Transactions: SQLite's begin IMMEDIATE (the write lock up front: a transaction that read first and then writes
 *   could otherwise fail with SQLITE_BUSY instead of waiting); PostgreSQL's plain BEGIN plus the row and advisory
 *   locks below.
 * - Serialising writers: SQLite has one writer at a time, so the contract revision row lock, the migration lock and
 *   the expiry lock are all the IMMEDIATE transaction itself; PostgreSQL takes `SELECT … FOR UPDATE` on the workflow,
 *   `pg_advisory_xact_lock` to migrate and to number a policy's revisions (keyed by its kind and name: no row exists
 *   to lock before its first revision), and `pg_try_advisory_xact_lock` to sweep expired runs (one sweeper at a time).
 * - A set of values as one parameter, whatever its size: SQLite `IN (SELECT value FROM json_each(?))` with a JSON
 *   array, PostgreSQL `= ANY(?::text[])`.
 * - Affected-row counts come back as bigint from both drivers (kysely's numAffectedRows); the repository converts.
 *   No RETURNING is used, upserts are `ON CONFLICT … DO NOTHING` (same syntax in both), no JSON or timestamp
 *   columns exist (TEXT everywhere), so nothing else differs.
 * - Opening: SQLite answers SQLITE_BUSY without waiting while processes open one new file together (switching to
 *   WAL, recovery), so opening and migrating are retried; PostgreSQL errors are DATABASE_UNREACHABLE, password hidden.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ChainloopError } from '@chainloop-ts/core';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Expression,
  Kysely,
  PostgresDialect,
  type QueryCompiler,
  type QueryResult,
  type SqlBool,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Tables } from './tables';

export type Db = Kysely<Tables> | Transaction<Tables>;

/** Any fixed numbers: the advisory locks every control plane process takes to migrate, and to sweep expired runs. */
const MIGRATION_LOCK = 7_266_103;
const EXPIRY_LOCK = 7_266_104;
/** The first key of the two-key advisory locks on a policy name (the second is a hash of its kind and name). */
const POLICY_LOCK = 7_266_105;

export interface StoreDatabase {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<Tables>;
  /** `column IN values`, the values travelling as one parameter. */
  inSet(column: Expression<string>, values: string[]): Expression<SqlBool>;
  /** The one parameter `inSetParameter` takes for `values` (what `inSet` sends). */
  setParameter(values: string[]): unknown;
  /** `column IN parameter`, the parameter being `setParameter(values)`: for a query compiled once. */
  inSetParameter(column: Expression<string>, parameter: unknown): Expression<SqlBool>;
  /** Inside a transaction: wait until no other process is migrating. */
  lockForMigration(trx: Transaction<Tables>): Promise<void>;
  /** Inside a transaction: make concurrent revision numbering of one workflow take turns. */
  lockWorkflow(trx: Transaction<Tables>, workflowId: string): Promise<void>;
  /** Inside a transaction: make concurrent revision numbering of one policy (or group) name take turns. */
  lockPolicyName(trx: Transaction<Tables>, kind: string, name: string): Promise<void>;
  /** Inside a transaction: false when another process is sweeping expired runs right now. */
  tryLockExpiry(trx: Transaction<Tables>): Promise<boolean>;
  /** Runs `step` again while the database says another process holds a lock it cannot wait for. */
  retryOnOpen<T>(step: () => Promise<T>): Promise<T>;
  /** How an error while opening or migrating reaches the user. */
  openFailed(error: unknown): Error;
}

// ---------------------------------------------------------------------------------------------------------------- SQLite

const BUSY_RETRY_FOR_MS = 15_000;

/** A FIFO lock held across awaits. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return acquired;
  }
}

/**
 * Handles on one file in one process take turns. better-sqlite3 waits for a lock (busy_timeout) by blocking the
 * thread, so a second handle writing while the first has an open transaction in the same process would block the
 * very event loop the first needs to finish: both would wait out the timeout and fail with SQLITE_BUSY.
 */
const fileLocks = new Map<string, Mutex>();

/** Statements prepared once per handle: the SQL of every query is fixed (values are parameters), so few exist. */
class SqliteStoreConnection implements DatabaseConnection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly database: Database.Database) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    let statement = this.statements.get(query.sql);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.database.prepare(query.sql);
      this.statements.set(query.sql, statement);
    }
    if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
    return { rows: [], numAffectedRows: BigInt(statement.run(query.parameters).changes) };
  }

  // biome-ignore lint/correctness/useYield: the repository never streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite store');
  }
}

/** kysely's better-sqlite3 driver, with begin IMMEDIATE, the per-file lock and cached statements. */
class SqliteStoreDriver implements Driver {
  private readonly connection: SqliteStoreConnection;
  private release: (() => void) | undefined;

  constructor(
    private readonly database: Database.Database,
    private readonly fileLock: Mutex,
  ) {
    this.connection = new SqliteStoreConnection(database);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.release = await this.fileLock.lock();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}

class SqliteStoreDialect implements Dialect {
  constructor(
    private readonly database: Database.Database,
    private readonly path: string,
  ) {}
  createDriver(): Driver {
    let fileLock = fileLocks.get(this.path);
    if (!fileLock) {
      fileLock = new Mutex();
      fileLocks.set(this.path, fileLock);
    }
    return new SqliteStoreDriver(this.database, fileLock);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/** The embedded default store: one SQLite file in WAL mode, owner-only. */
export function openSqlite(path: string): StoreDatabase {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  keepPrivate(path);
  const handle = openBetterSqlite(path);
  // Several processes may share the file; wait for a writer instead of failing with SQLITE_BUSY. Set first:
  // switching to WAL takes a lock too.
  handle.pragma('busy_timeout = 5000');
  handle.pragma('foreign_keys = ON');
  handle.pragma('synchronous = NORMAL');
  // SQLite answers SQLITE_BUSY at once, without waiting, where waiting could deadlock (switching a new file to WAL,
  // upgrading a read lock, WAL recovery) — all of which happen when processes open one new data dir together.
  retryWhileBusySync(() => handle.pragma('journal_mode = WAL'));
  return {
    kind: 'sqlite',
    db: new Kysely<Tables>({ dialect: new SqliteStoreDialect(handle, resolve(path)) }),
    inSet: (column, values) => sql<SqlBool>`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`,
    setParameter: (values) => JSON.stringify(values),
    inSetParameter: (column, parameter) => sql<SqlBool>`${column} IN (SELECT value FROM json_each(${parameter}))`,
    // begin IMMEDIATE already holds the only write lock.
    lockForMigration: async () => undefined,
    lockWorkflow: async () => undefined,
    lockPolicyName: async () => undefined,
    tryLockExpiry: async () => true,
    retryOnOpen: retryWhileBusy,
    openFailed: (error) => (error instanceof Error ? error : new Error(String(error))),
  };
}

function isBusy(error: unknown): boolean {
  return String((error as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY');
}

/** A short jittered pause, growing with the attempt, so waiting processes do not retry in step. */
const busyPause = (attempt: number) => Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random());

async function retryWhileBusy<T>(step: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + BUSY_RETRY_FOR_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isBusy(error) || Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, busyPause(attempt)));
    }
  }
}

function retryWhileBusySync<T>(step: () => T): T {
  const giveUpAt = Date.now() + BUSY_RETRY_FOR_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() > giveUpAt) throw error;
      Atomics.wait(pause, 0, 0, busyPause(attempt));
    }
  }
}

/**
 * better-sqlite3's native binding is built by its install script; npm 12 blocks dependency install scripts unless
 * allowed, which leaves a control plane that cannot open its store. Say so in one line, with the install that works.
 */
function openBetterSqlite(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (
      !/Could not locate the bindings file|ERR_DLOPEN_FAILED|was compiled against a different Node\.js version/.test(
        message,
      )
    )
      throw error;
    throw new ChainloopError(
      'SQLITE_BINDING_MISSING',
      `the SQLite store cannot open: better-sqlite3's native binding is missing or built for another Node.js (${message.split('\n')[0]}): reinstall with npm install -g --allow-scripts=better-sqlite3 @chainloop-ts/control-plane (npm 12 blocks install scripts), or use --database-url with PostgreSQL`,
    );
  }
}

/**
 * The database file and its WAL and shared-memory files are the owner's only (0600). SQLite creates the WAL and -shm
 * files with the database file's permissions, so creating that one 0600 first is enough for a new store; an older
 * store's files are tightened.
 */
function keepPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

// ------------------------------------------------------------------------------------------------------------ PostgreSQL

/** For control planes that run as several processes behind a load balancer, sharing one database. */
export function openPostgres(url: string): StoreDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection dropped by the server must not crash the process; the next query reports the problem.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
    inSet: (column, values) => sql<SqlBool>`${column} = ANY(${values}::text[])`,
    setParameter: (values) => values,
    inSetParameter: (column, parameter) => sql<SqlBool>`${column} = ANY(${parameter}::text[])`,
    lockForMigration: async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    },
    lockWorkflow: async (trx, workflowId) => {
      await trx.selectFrom('workflows').select('id').where('id', '=', workflowId).forUpdate().execute();
    },
    lockPolicyName: async (trx, kind, name) => {
      // Two names hashing alike only take turns needlessly; numbering stays right either way.
      await sql`SELECT pg_advisory_xact_lock(${POLICY_LOCK}, hashtext(${`${kind}/${name}`}))`.execute(trx);
    },
    tryLockExpiry: async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${EXPIRY_LOCK}) AS locked`.execute(trx);
      return rows[0]?.locked === true;
    },
    retryOnOpen: (step) => step(),
    openFailed: (error) => {
      const reason = error instanceof Error ? error.message : String(error);
      return new ChainloopError(
        'DATABASE_UNREACHABLE',
        `cannot use the PostgreSQL database ${redactPassword(url)}: ${reason}: check --database-url / CHAINLOOP_CP_DATABASE_URL`,
      );
    },
  };
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'URL (unparsable)';
  }
}
