// Real MariaDB and PostgreSQL servers for tests: a temp data directory, a free loopback port, a unix socket in the
// temp directory, a database `sip` and a password login for sipd. Each test stops and destroys its servers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exited, track } from './children';
import { freePort } from './ports';

const run = promisify(execFile);

export const DB_NAME = 'sip';
export const DB_USER = 'sipd';
export const DB_PASSWORD = 'sipd-db-secret';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

async function until(what: string, check: () => Promise<boolean>, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited while starting:\n${log()}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

async function succeeds(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return true;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGCONT'); // a paused server cannot shut down
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited(child);
  clearTimeout(timer);
}

/** What both servers offer the tests. */
export interface DbServer {
  readonly port: number;
  /** Runs SQL as the administrator in database `sip`; resolves with the client's output. */
  sql(statements: string): Promise<string>;
  /** Starts the server again on the same data and port; `network: false` listens on the unix socket only. */
  start(opts?: { network?: boolean }): Promise<void>;
  /** Clean shutdown; resolves once the server has exited. */
  stop(): Promise<void>;
  /** Kills the server if running and removes its files. */
  destroy(): Promise<void>;
}

export class MariaDb implements DbServer {
  private child: ChildProcess | null = null;
  private readonly socket: string;

  private constructor(private readonly dir: string, readonly port: number) {
    this.socket = join(dir, 'mysqld.sock');
  }

  /** Initialises a data directory, starts mariadbd and creates database `sip` and user sipd (password login). */
  static async create(): Promise<MariaDb> {
    const dir = mkdtempSync(join(tmpdir(), 'sipd-mariadb-'));
    const server = new MariaDb(dir, await freePort());
    try {
      await run('mariadb-install-db', ['--no-defaults', ...server.userArgs(), `--datadir=${join(dir, 'data')}`,
        '--skip-test-db', '--auth-root-authentication-method=socket']);
      await server.start();
      await server.admin(`CREATE DATABASE ${DB_NAME};
        CREATE USER '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';
        GRANT SELECT ON ${DB_NAME}.* TO '${DB_USER}'@'127.0.0.1';`);
      return server;
    } catch (err) {
      await server.destroy();
      throw err;
    }
  }

  async start(opts: { network?: boolean } = {}): Promise<void> {
    const network = opts.network === false ? ['--skip-networking'] : [`--port=${this.port}`, '--bind-address=127.0.0.1'];
    const logFile = join(this.dir, 'error.log');
    const child = spawn('mariadbd', ['--no-defaults', ...this.userArgs(), `--datadir=${join(this.dir, 'data')}`,
      `--socket=${this.socket}`, `--pid-file=${join(this.dir, 'mariadbd.pid')}`, `--log-error=${logFile}`,
      '--skip-name-resolve', '--innodb-buffer-pool-size=16M', ...network], { stdio: 'ignore' });
    track(child);
    this.child = child;
    await until('mariadbd', () => succeeds(this.admin('SELECT 1')), child, () => readFileSync(logFile, 'utf8'));
  }

  stop(): Promise<void> {
    return stopChild(this.child, 'SIGTERM');
  }

  /** SIGSTOP / SIGCONT: mariadbd is one process, so paused it accepts connections (the kernel does) and never answers. */
  pause(): void { this.child?.kill('SIGSTOP'); }
  resume(): void { this.child?.kill('SIGCONT'); }

  sql(statements: string): Promise<string> {
    return this.admin(statements, DB_NAME);
  }

  async destroy(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** mariadbd refuses to run as root unless told to. */
  private userArgs(): string[] {
    return process.getuid?.() === 0 ? ['--user=root'] : [];
  }

  private async admin(statements: string, database?: string): Promise<string> {
    const args = ['--no-defaults', `--socket=${this.socket}`, '-u', process.getuid?.() === 0 ? 'root' : process.env.USER ?? 'root',
      '--batch', '-e', statements];
    const { stdout } = await run('mariadb', database ? [...args, database] : args);
    return stdout;
  }
}

/** uid and gid of the `postgres` account, for running PostgreSQL's programs when we are root. */
function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs the postgres account (Debian package postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export class Postgres implements DbServer {
  private child: ChildProcess | null = null;
  private readonly account = postgresAccount();

  private constructor(private readonly dir: string, readonly port: number) {}

  /** initdb (local socket: trust, TCP: scram-sha-256), start, then role sipd with a password and database `sip`. */
  static async create(): Promise<Postgres> {
    const dir = mkdtempSync(join(tmpdir(), 'sipd-postgres-'));
    const server = new Postgres(dir, await freePort());
    try {
      if (server.account) chownSync(dir, server.account.uid, server.account.gid);
      await run(join(POSTGRES_BIN, 'initdb'), ['-D', server.dataDir, '-U', 'postgres', '--auth-local=trust',
        '--auth-host=scram-sha-256', '--no-sync'], { ...server.account, env: { ...process.env, LC_ALL: 'C' } });
      await server.start();
      await server.admin('postgres', `CREATE ROLE ${DB_USER} LOGIN PASSWORD '${DB_PASSWORD}'`);
      await server.admin('postgres', `CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}`);
      return server;
    } catch (err) {
      await server.destroy();
      throw err;
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  async start(opts: { network?: boolean } = {}): Promise<void> {
    const listen = opts.network === false ? '' : '127.0.0.1';
    const logFile = join(this.dir, 'postgres.log');
    writeFileSync(logFile, '');
    if (this.account) chownSync(logFile, this.account.uid, this.account.gid);
    const child = spawn(join(POSTGRES_BIN, 'postgres'), ['-D', this.dataDir, '-p', String(this.port), '-k', this.dir,
      '-c', `listen_addresses=${listen}`, '-c', 'fsync=off', '-c', 'shared_buffers=16MB', '-c', `log_directory=${this.dir}`,
      '-c', 'logging_collector=off'], { ...this.account, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    track(child);
    this.child = child;
    await until('postgres', () => succeeds(this.admin('postgres', 'SELECT 1')), child, () => log);
  }

  /** Fast shutdown: open sessions are ended. */
  stop(): Promise<void> {
    return stopChild(this.child, 'SIGINT');
  }

  sql(statements: string): Promise<string> {
    return this.admin(DB_NAME, statements);
  }

  async destroy(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async admin(database: string, statements: string): Promise<string> {
    const { stdout } = await run('psql', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', database,
      '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-A', '-t', '-c', statements]);
    return stdout;
  }
}
