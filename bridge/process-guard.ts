/**
 * Process-level guards for the long-running commands (`hailong start`,
 * `hailong bridge`): an uncaught exception or an unhandled rejection is a
 * bug whose state cannot be trusted, so the process logs it as one
 * structured `fatal` line and exits with code 70 (EX_SOFTWARE) for systemd
 * (`Restart=on-failure`, docs/INSTALL.md) to start it again. Votes are safe
 * across that exit: every ACKed vote is in the journal (SQLite WAL,
 * synchronous=FULL), and unACKed ones stay in the boxes, which resend.
 */
import type { Logger } from './logger.ts';

/** Exit code after a fatal error (sysexits.h EX_SOFTWARE: an internal software error). */
export const FATAL_EXIT_CODE = 70;

/** Longest wait for the logger to flush before exiting (ms). */
const FLUSH_TIMEOUT_MS = 1000;

/** Removes the guards (tests, or a command that ends). */
export type RemoveGuards = () => void;

/**
 * Installs `uncaughtException` and `unhandledRejection` handlers that log
 * the error at fatal and exit with `FATAL_EXIT_CODE`. `exit` is the seam
 * for tests. @returns a function that removes them.
 */
export function installProcessGuards(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): RemoveGuards {
  let exiting = false;
  const fatal = (kind: string, error: unknown): void => {
    if (exiting) return;
    exiting = true;
    log.fatal({ err: error, kind }, `${kind}: hailong stops so that systemd restarts it (votes are safe in the journal)`);
    // A pretty-printing transport writes from a worker: let it flush, but never hang.
    const timer = setTimeout(() => exit(FATAL_EXIT_CODE), FLUSH_TIMEOUT_MS);
    log.flush((): void => {
      clearTimeout(timer);
      exit(FATAL_EXIT_CODE);
    });
  };
  const onException = (error: Error): void => fatal('uncaught exception', error);
  const onRejection = (reason: unknown): void => fatal('unhandled promise rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
