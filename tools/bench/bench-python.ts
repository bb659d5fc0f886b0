/**
 * The Python used by `bench:data`'s peers: one with PIL and numpy, found without installing anything —
 * `VQRAE_BENCH_PYTHON` when set, else /usr/bin/python3 when it has them, else the private unpacked Debian root
 * `/tmp/pytorch-root/python3` (python3-pil, python3-numpy extracted with `apt-get download` + `dpkg -x`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CANDIDATES = [process.env.VQRAE_BENCH_PYTHON, '/usr/bin/python3', '/tmp/pytorch-root/python3'];

/** The first candidate that imports PIL and numpy, or undefined. */
export function findBenchPython(): string | undefined {
  return CANDIDATES.filter((p): p is string => !!p).find(
    (python) => fs.existsSync(python) && spawnSync(python, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0,
  );
}
