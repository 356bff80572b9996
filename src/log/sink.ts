// Where log lines go: an appended file or the stdin of a piped program ("|program args").
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';

export interface LogSink {
  /** Buffered; never blocks the caller. */
  write(text: string): void;
  /** Flushes what is buffered, then releases the file or lets the piped program finish. */
  close(): Promise<void>;
}

const PIPE_EXIT_GRACE_MS = 2000;

export function openSink(target: string): LogSink {
  return target.startsWith('|') ? pipeSink(target.slice(1).trim()) : fileSink(target);
}

function fileSink(path: string): LogSink {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  return guardedSink(stream, path, () => finished(stream));
}

function pipeSink(command: string): LogSink {
  // Through the shell, as the seed's examples expect quoting and paths to work there.
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'inherit'] });
  // A failed spawn surfaces as an error on stdin, which the guard below reports.
  child.on('error', (err) => child.stdin?.destroy(err));
  return guardedSink(child.stdin, `|${command}`, () => exited(child));
}

function guardedSink(stream: Writable, name: string, waitClosed: () => Promise<void>): LogSink {
  let failed = false;
  // A broken log target must not take the server down; say so once on stderr.
  stream.on('error', (err) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`sipd: cannot write log ${name}: ${err.message}\n`);
  });
  return {
    write(text) {
      if (!failed) stream.write(text);
    },
    close() {
      if (!stream.writableEnded) stream.end();
      return waitClosed();
    },
  };
}

function finished(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve();
    }, PIPE_EXIT_GRACE_MS);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
