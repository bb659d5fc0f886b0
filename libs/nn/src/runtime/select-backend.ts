/**
 * tfjs backend selection: the one documented call (`setupRuntime`) with which an app, a test or a user's graph file
 * picks the tfjs backend. Libraries use `@tensorflow/tfjs-core` and never call this themselves; backend packages are
 * loaded only here, by name, and only when the caller asks.
 *
 * `auto`: `tensorflow` when `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` (optional dependencies, absent
 * unless the user installs them) can be loaded, else `wasm`, else `cpu`. A forced choice that cannot start is an
 * error, not a silent fallback.
 */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

export interface BackendSelection {
  readonly name: BackendName;
  readonly requested: BackendChoice;
  /** The package that provided the backend. */
  readonly package: string;
  /** Why better backends were not used (empty when the first choice worked). */
  readonly notes: readonly string[];
  /** One line for the user, e.g. `backend: wasm (… not installed; for a GPU: npm install @tensorflow/tfjs-node-gpu)`. */
  readonly message: string;
}

/** Imports a module by name; injectable so tests can simulate an installed tfjs-node. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const GPU_HINT = 'for a GPU: npm install @tensorflow/tfjs-node-gpu';

type TfUnion = typeof import('@tensorflow/tfjs');
let tfModule: Promise<TfUnion> | undefined;

/** The process's single `@tensorflow/tfjs` (union package: chained ops, gradients, CPU backend). */
export function loadTf(): Promise<TfUnion> {
  tfModule ??= import('@tensorflow/tfjs');
  return tfModule;
}

const defaultLoader: ModuleLoader = (specifier) => import(specifier);

/**
 * Selects and initialises a tfjs backend; throws BackendError when a forced backend cannot start.
 * `setupRuntime` is the same call with an option bag (the form examples and user graph files use).
 */
export async function selectBackend(requested: BackendChoice, loader: ModuleLoader = defaultLoader): Promise<BackendSelection> {
  const tf = await loadTf();
  const notes: string[] = [];
  const order: BackendName[] = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  for (const name of order) {
    const started = await tryBackend(tf, name, loader);
    if (started.ok) {
      notes.push(...(started.notes ?? []));
      const why = notes.length > 0 ? ` (${notes.join('; ')}${name !== 'tensorflow' ? `; ${GPU_HINT}` : ''})` : requested === 'auto' ? '' : ' (forced by --backend)';
      return { name, requested, package: started.package, notes, message: `backend: ${name} via ${started.package}${why}` };
    }
    notes.push(started.reason);
  }
  throw new BackendError(`backend '${requested}' could not be started: ${notes.join('; ')}${requested === 'tensorflow' ? `; ${GPU_HINT} (or @tensorflow/tfjs-node for CPU)` : ''}`);
}

/** A forced backend that cannot start (message says why and what to install). */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

type Started = { ok: true; package: string; notes?: readonly string[] } | { ok: false; reason: string };

async function tryBackend(tf: TfUnion, name: BackendName, loader: ModuleLoader): Promise<Started> {
  if (name === 'tensorflow') {
    const reasons: string[] = [];
    for (const pkg of TENSORFLOW_PACKAGES) {
      try {
        await loader(pkg);
      } catch (error) {
        reasons.push(`${pkg} ${describeLoadError(error)}`);
        continue;
      }
      if (await activate(tf, 'tensorflow')) return { ok: true, package: pkg, notes: reasons };
      reasons.push(`${pkg} loaded but did not register the 'tensorflow' backend`);
    }
    return { ok: false, reason: `tensorflow unavailable: ${reasons.join(', ')}` };
  }
  if (name === 'wasm') {
    try {
      await loader('@tensorflow/tfjs-backend-wasm');
    } catch (error) {
      return { ok: false, reason: `wasm unavailable: @tensorflow/tfjs-backend-wasm ${describeLoadError(error)}` };
    }
    return (await activate(tf, 'wasm')) ? { ok: true, package: '@tensorflow/tfjs-backend-wasm' } : { ok: false, reason: 'wasm failed to initialise' };
  }
  return (await activate(tf, 'cpu')) ? { ok: true, package: '@tensorflow/tfjs' } : { ok: false, reason: 'cpu failed to initialise' };
}

async function activate(tf: TfUnion, name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

function describeLoadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const message = error instanceof Error ? error.message : String(error);
  return `failed to load (${message.split('\n')[0].slice(0, 160)})`;
}

/** Options of {@link setupRuntime}. */
export interface RuntimeOptions {
  /** tfjs backend (default `auto`: tensorflow if tfjs-node(-gpu) is installed, else wasm, else cpu). */
  readonly backend?: BackendChoice;
}

/**
 * The one call a user's graph file (or an app) makes before building model stages: loads the single
 * `@tensorflow/tfjs` of the process and starts the chosen backend. Libraries never register a backend themselves.
 *
 * @example
 * const runtime = await setupRuntime({ backend: 'wasm' });
 * console.log(runtime.message); // backend: wasm via @tensorflow/tfjs-backend-wasm (forced by --backend)
 */
export function setupRuntime(options: RuntimeOptions = {}): Promise<BackendSelection> {
  return selectBackend(options.backend ?? 'auto');
}
