/**
 * `<run>/eval.jsonl`: one held-out evaluation per line, appended as training goes. A run killed (or a disk filled)
 * mid-append leaves a last line without its newline: that tail is reported as torn, not parsed; any other line that
 * is not an evaluation row is an error naming the file and line.
 */
import type { EvalResult } from './heldout.js';

/** The rows of an eval log, each with its line as written, and the torn tail (null when the file ends cleanly). */
export interface EvalLog {
  readonly entries: readonly { readonly line: string; readonly result: EvalResult }[];
  readonly tornTail: string | null;
}

export function parseEvalLog(text: string, file: string): EvalLog {
  const lines = text.split('\n');
  // A file ending in '\n' splits into a last empty string; anything else after the last newline is a partial append.
  const tail = lines.pop() ?? '';
  const entries: { line: string; result: EvalResult }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let result: EvalResult;
    try {
      result = JSON.parse(line) as EvalResult;
    } catch (error) {
      throw new Error(`${file}:${index + 1}: not an evaluation row (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (typeof result !== 'object' || result === null || typeof result.step !== 'number') {
      throw new Error(`${file}:${index + 1}: not an evaluation row (no numeric 'step')`);
    }
    entries.push({ line, result });
  });
  return { entries, tornTail: tail.trim() === '' ? null : tail };
}
