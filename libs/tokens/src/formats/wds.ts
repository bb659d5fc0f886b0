import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { assertIdsInRange, packIds, tokenDtypeFor } from '../dtype.js';
import { decodeNpyIds, encodeNpy1d } from '../npy.js';
import { decodeSidecar, encodeSidecar, SIDECAR_EXTENSION } from '../sidecar.js';
import type { TokenSequence, TokenShardWriter, TokenWriterConfig } from '../types.js';

/**
 * `wds`: a WebDataset tar per shard unit. Each sample keeps the input key (an augmented copy gets `_<aug>` appended,
 * e.g. `000042_flip`) and holds `tokens.npy` (1-D uint16/int32 `.npy`), optionally `codes.npy` and `doc_starts.npy`,
 * next to the passed-through `cls`, `txt` and `json` members. Provenance in the `<base>.wds.meta.json` sidecar.
 * Member mtimes are fixed (0) so that the same tokens give the same bytes.
 */
export function wdsWriter(config: TokenWriterConfig): TokenShardWriter {
  const sequences: TokenSequence[] = [];
  const dtype = tokenDtypeFor(config.vocabSize);
  return {
    format: 'wds',
    extensions: ['.tar', `.wds${SIDECAR_EXTENSION}`],
    add: (s) => {
      assertIdsInRange(s.ids, config.vocabSize, `wds: sample ${s.key}`);
      const base = sampleKey(s).split('/').pop()!;
      if (base.includes('.') || base === '') throw new Error(`wds: sample key '${s.key}' (shard ${s.shard}) cannot be a WebDataset key: its last path part must be non-empty and contain no '.' (readers split member names at the first dot)`);
      sequences.push(s);
    },
    finish: async () => {
      const pack = tar.pack();
      const chunks: Buffer[] = [];
      const collected = (async () => {
        for await (const chunk of pack) chunks.push(chunk as Buffer);
      })();
      const entry = (name: string, bytes: Uint8Array): void => void pack.entry({ name, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0 }, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      for (const s of sequences) {
        const key = sampleKey(s);
        entry(`${key}.tokens.npy`, encodeNpy1d(packIds(s.ids, dtype)));
        if (s.codes) entry(`${key}.codes.npy`, encodeNpy1d(s.codes));
        if (s.docStarts) entry(`${key}.doc_starts.npy`, encodeNpy1d(s.docStarts));
        if (s.side.cls !== undefined) entry(`${key}.cls`, new TextEncoder().encode(String(s.side.cls)));
        if (s.side.txt !== undefined) entry(`${key}.txt`, new TextEncoder().encode(s.side.txt));
        if (s.side.json !== undefined) entry(`${key}.json`, new TextEncoder().encode(s.side.json));
      }
      pack.finalize();
      await collected;
      return [
        { name: `${config.baseName}.tar`, bytes: new Uint8Array(Buffer.concat(chunks)) },
        { name: `${config.baseName}.wds${SIDECAR_EXTENSION}`, bytes: encodeSidecar('wds', config, sequences, { dtype }) },
      ];
    },
  };
}

/** The WebDataset key of a sequence: the input key, plus `_<aug>` for augmented copies. */
export function sampleKey(s: Pick<TokenSequence, 'key' | 'aug'>): string {
  return s.aug === 'none' ? s.key : `${s.key}_${s.aug}`;
}

/**
 * Reads a token WebDataset tar back (members grouped by key = name up to the first dot of the basename). The grid
 * and provenance come from the sidecar when given; shard is the sidecar-less tar name. Errors name tar and member.
 */
export async function readWdsSequences(bytes: Uint8Array, source: string, sidecarBytes?: Uint8Array): Promise<{ sequences: TokenSequence[]; metadata: Map<string, string> }> {
  const sidecar = sidecarBytes ? decodeSidecar(sidecarBytes, `${source}.wds${SIDECAR_EXTENSION}`) : undefined;
  const samples = new Map<string, Map<string, Buffer>>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      const name = entry.header.name;
      const slash = name.lastIndexOf('/');
      const dot = name.indexOf('.', slash + 1);
      if (dot < 0) throw new Error(`${source}: member '${name}' has no extension`);
      const key = name.slice(0, dot);
      if (!samples.has(key)) samples.set(key, new Map());
      samples.get(key)!.set(name.slice(dot + 1), Buffer.concat(parts));
    }
  })();
  Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(extract);
  try {
    await done;
  } catch (error) {
    throw new Error(`${source}: not a readable tar (${error instanceof Error ? error.message : String(error)})`);
  }
  const sequences: TokenSequence[] = [];
  for (const [name, members] of samples) {
    const tokens = members.get('tokens.npy');
    if (!tokens) throw new Error(`${source}: sample '${name}' has no tokens.npy`);
    const ids = decodeNpyIds(tokens, `${source}: ${name}.tokens.npy`);
    const aug = /_(flip|tencrop-\d+)$/.exec(name)?.[1] ?? 'none';
    const codes = members.get('codes.npy');
    const docStarts = members.get('doc_starts.npy');
    const text = (ext: string): string | undefined => members.get(ext)?.toString('utf-8');
    const cls = text('cls');
    sequences.push({
      key: aug === 'none' ? name : name.slice(0, -(aug.length + 1)),
      shard: sidecar?.shard ?? '',
      aug,
      ids,
      ...(codes ? { codes: decodeNpyIds(codes, `${source}: ${name}.codes.npy`) } : {}),
      ...(docStarts ? { docStarts: decodeNpyIds(docStarts, `${source}: ${name}.doc_starts.npy`) } : {}),
      grid: sidecar?.grid ?? [0, 0],
      side: {
        ...(cls !== undefined ? { cls: Number(cls.trim()) } : {}),
        ...(text('txt') !== undefined ? { txt: text('txt') } : {}),
        ...(text('json') !== undefined ? { json: text('json') } : {}),
      },
    });
  }
  return { sequences, metadata: new Map(Object.entries(sidecar?.metadata ?? {})) };
}
