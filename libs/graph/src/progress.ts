import cliProgress from 'cli-progress';

/** Receives the count of items pulled from the source; the Graph calls start → tick* → stop. */
export interface ProgressReporter {
  start(total: number | undefined): void;
  tick(count?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** `auto`: a cli-progress bar when `stream` is a TTY, otherwise plain lines. `quiet`: nothing. */
  readonly mode?: 'auto' | 'bar' | 'lines' | 'quiet';
  /** Where progress goes (default process.stderr, so stdout stays clean for results). */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Interval between plain lines, ms (default 5000). */
  readonly intervalMs?: number;
  /** Prefix of each line, e.g. the command name. */
  readonly label?: string;
  /** Clock (ms), injectable for tests. */
  readonly now?: () => number;
}

/** Reports nothing. */
export const quietProgress: ProgressReporter = { start: () => {}, tick: () => {}, stop: () => {} };

/** Items/s and ETA (when the total is known): a bar on a TTY, periodic plain lines otherwise, nothing when quiet. */
export function createProgress(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode === 'auto' || options.mode === undefined ? (stream.isTTY ? 'bar' : 'lines') : options.mode;
  if (mode === 'quiet') return quietProgress;
  return mode === 'bar' ? barProgress(stream, options) : lineProgress(stream, options);
}

/** `12.3 items/s`, `ETA 1:05` text for `done` items after `elapsedMs`. */
export function formatRate(done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const parts = [`${done}${total !== undefined ? `/${total}` : ''} items`, `${rate.toFixed(1)} items/s`];
  if (total !== undefined && rate > 0) parts.push(`ETA ${formatDuration(((total - done) / rate) * 1000)}`);
  return parts.join(', ');
}

/** `m:ss` (or `h:mm:ss`). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

function lineProgress(stream: NodeJS.WritableStream, options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const label = options.label ? `${options.label}: ` : '';
  let done = 0;
  let total: number | undefined;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const line = (): void => {
    stream.write(`${label}progress ${formatRate(done, total, now() - startedAt)}\n`);
  };
  return {
    start: (n) => {
      total = n;
      startedAt = now();
      timer = setInterval(line, options.intervalMs ?? 5000);
      timer.unref();
    },
    tick: (count = 1) => {
      done += count;
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

function barProgress(stream: NodeJS.WritableStream, options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const label = options.label ? `${options.label} ` : '';
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  let startedAt = 0;
  const speed = (): string => {
    const elapsed = now() - startedAt;
    return elapsed > 0 ? ((done * 1000) / elapsed).toFixed(1) : '0.0';
  };
  return {
    start: (total) => {
      const format =
        total !== undefined
          ? `${label}{bar} {percentage}% | {value}/{total} | {speed} items/s | ETA {eta_formatted}`
          : `${label}{value} items | {speed} items/s`;
      bar = new cliProgress.SingleBar({ format, stream, etaBuffer: 50, fps: 5, hideCursor: true }, cliProgress.Presets.shades_classic);
      startedAt = now();
      bar.start(total ?? 0, 0, { speed: '0.0' });
    },
    tick: (count = 1) => {
      done += count;
      bar?.increment(count, { speed: speed() });
    },
    stop: () => bar?.stop(),
  };
}
