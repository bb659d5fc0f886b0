import fs from 'node:fs/promises';
import type { Command } from 'commander';
import * as arrow from 'apache-arrow';
import { SafetensorsFile } from '@vqrae/nn';
import { parseIntFlag, type CommandModule } from '../cli/index.js';
import { readArrowTable } from '@vqrae/data';
import { inspectTokenFile, isArrowTokenFile } from '@vqrae/tokens';

/**
 * `vqrae inspect <file>`: schema, metadata and first rows of an Arrow IPC file or of a token file of any format
 * (Parquet, Megatron `.bin`/`.idx`/prefix, WebDataset `.tar`, JSONL), or the tensors of a safetensors file.
 */
export const inspectCommand: CommandModule = {
  name: 'inspect',
  register(program: Command) {
    program
      .command('inspect')
      .description("print an Arrow file's schema, metadata and first rows, or a safetensors file's tensors and metadata")
      .argument('<file>', '.arrow / .ipc / .feather, token files (.parquet, Megatron .idx/.bin/prefix, .tar, .jsonl), or .safetensors')
      .option('--rows <n>', 'rows to show (Arrow)', '5')
      .option('--json', 'machine-readable output')
      .addHelpText('after', '\nExamples:\n  $ vqrae inspect tokens/val/val-000000-1a2b3c4d.0000.arrow --rows 3\n  $ vqrae inspect tokens/val/val-000000-1a2b3c4d.0000.parquet\n  $ vqrae inspect tokens/val/val-000000-1a2b3c4d.0000   (Megatron prefix)\n  $ vqrae inspect ck.safetensors')
      .action(async (file: string, flags: { rows: string; json?: boolean }) => {
        const rows = parseIntFlag(flags.rows, 'inspect: --rows', 0);
        const out = file.endsWith('.safetensors')
          ? await inspectSafetensors(file)
          : (await isArrowTokenFile(file))
            ? await inspectArrow(file, rows)
            : await inspectTokenFile(file, rows);
        process.stdout.write(flags.json ? `${JSON.stringify(out, null, 2)}\n` : renderText(out));
      });
  },
};

interface Inspection {
  readonly file: string;
  readonly format: string;
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
  readonly metadata: Record<string, string>;
  readonly rows?: number;
  readonly preview?: ReadonlyArray<Record<string, unknown>>;
}

async function inspectSafetensors(file: string): Promise<Inspection> {
  const st = await SafetensorsFile.open(file);
  try {
    const fields = st.keys().map((k) => {
      const info = st.info(k);
      return { name: k, type: `${info.dtype}[${info.shape.join(', ')}]` };
    });
    return { file, format: 'safetensors', fields, metadata: { ...st.metadata } };
  } finally {
    await st.close();
  }
}

function previewValue(value: unknown): unknown {
  if (value instanceof arrow.Vector || ArrayBuffer.isView(value)) {
    const values: unknown[] = value instanceof arrow.Vector ? [...value] : Array.from(value as unknown as ArrayLike<number>);
    const shown = values.slice(0, 12).map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v));
    return values.length > 12 ? `[${shown.join(', ')}, … (${values.length} values)]` : `[${shown.join(', ')}]`;
  }
  if (typeof value === 'string' && value.length > 80) return `${value.slice(0, 77)}...`;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value); // Int64 cells; JSON has no BigInt
  return value;
}

async function inspectArrow(file: string, rows: number): Promise<Inspection> {
  const table = readArrowTable(await fs.readFile(file), file);
  const preview: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(rows, table.numRows); i++) {
    const row: Record<string, unknown> = {};
    for (const field of table.schema.fields) row[field.name] = previewValue(table.getChild(field.name)?.get(i));
    preview.push(row);
  }
  return {
    file,
    format: 'arrow-ipc',
    fields: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
    metadata: Object.fromEntries(table.schema.metadata),
    rows: table.numRows,
    preview,
  };
}

function renderText(x: Inspection): string {
  const lines = [`${x.file} (${x.format}${x.rows !== undefined ? `, ${x.rows} rows` : ''})`, 'schema:'];
  for (const f of x.fields) lines.push(`  ${f.name}: ${f.type}`);
  lines.push('metadata:');
  for (const [k, v] of Object.entries(x.metadata)) lines.push(`  ${k}: ${v.length > 160 ? `${v.slice(0, 157)}...` : v}`);
  if (x.preview?.length) {
    lines.push('first rows:');
    for (const row of x.preview) lines.push(`  ${JSON.stringify(row)}`);
  }
  return `${lines.join('\n')}\n`;
}
