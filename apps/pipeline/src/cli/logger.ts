import type { Logger } from '@vqrae/graph';

/** Where CLI text goes (commander's output configuration, see main.ts). */
export interface CliWriters {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** The process's stdout and stderr. */
export const processWriters: CliWriters = {
  writeOut: (text) => process.stdout.write(text),
  writeErr: (text) => process.stderr.write(text),
};

/** CLI logger: info lines on stdout (silenced by --quiet), warnings and errors on stderr (always). */
export function createCliLogger(quiet: boolean, writers: CliWriters = processWriters): Logger {
  return {
    info: (message) => {
      if (!quiet) writers.writeOut(`${message}\n`);
    },
    warn: (message) => writers.writeErr(`warning: ${message}\n`),
    error: (message) => writers.writeErr(`error: ${message}\n`),
  };
}

/** The writers a commander command inherited from the program. */
export function writersOf(command: { configureOutput(): unknown }): CliWriters {
  const config = command.configureOutput() as Partial<CliWriters>;
  return {
    writeOut: config.writeOut ?? processWriters.writeOut,
    writeErr: config.writeErr ?? processWriters.writeErr,
  };
}
