import type { Logger } from '@vqrae/graph';

/** CLI logger: info lines on stdout (silenced by --quiet), warnings and errors on stderr (always). */
export function createCliLogger(quiet: boolean): Logger {
  return {
    info: (message) => {
      if (!quiet) process.stdout.write(`${message}\n`);
    },
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    error: (message) => process.stderr.write(`error: ${message}\n`),
  };
}
