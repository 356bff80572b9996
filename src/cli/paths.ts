// Where sipd finds its files when the command line does not say.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder holding package.json, found upwards from this file (works from src/ and dist/). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** -f FILE, else $SIPD_CONF, else <package root>/conf/sipd.conf; always absolute. */
export function configFilePath(fromArgs: string | undefined): string {
  return resolve(fromArgs ?? process.env.SIPD_CONF ?? join(packageRoot(), 'conf', 'sipd.conf'));
}

/** The daemon's control socket lives beside its PidFile. */
export function controlSocketPath(pidFile: string): string {
  return join(dirname(pidFile), 'sipd.ctl');
}

/** The detached daemon's stdout/stderr: beside the error log, or in <ServerRoot>/logs when it is piped. */
export function daemonOutputPath(errorLog: string, serverRoot: string): string {
  const dir = errorLog.startsWith('|') ? join(serverRoot, 'logs') : dirname(errorLog);
  return join(dir, 'sipd.out');
}

/** The script the detached daemon runs. */
export function mainScriptPath(): string {
  return join(__dirname, 'main.js');
}
