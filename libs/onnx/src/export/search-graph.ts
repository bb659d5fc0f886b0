/**
 * The SimVQ code search alone, as a model: input `z` float32 `[tokens, e]` (already projected by quant_in) → output
 * `indices` int32 `[tokens]`, built by the same `codeSearch` as every exported tokenizer graph (blocks of R rows in a
 * Loop, codebook chunks, first-minimum tie rule). For benchmarks and tests of the search on its own.
 */
import { DEFAULT_MAX_CHUNK_ELEMENTS } from '@vqrae/tokenizer';
import { OnnxGraphBuilder } from '../builder/graph-builder.js';
import { type OnnxArtifact, buildModel } from '../builder/model.js';
import { ONNX_EXPORTER_VERSION, TIE_RULE } from './export-onnx.js';
import { codeSearch, type SearchCodebook } from './simvq.js';

/** Builds the search-only model of `codebook` (C'ᵀ `[e, k]`, ‖C'‖² `[k]`) under `maxChunkElements` (default as `exportOnnx`). */
export function searchOnlyGraph(codebook: SearchCodebook, opts: { readonly maxChunkElements?: number } = {}): OnnxArtifact {
  const { codebookSize: k, codebookDim: e } = codebook;
  if (codebook.codesT.length !== e * k) throw new Error(`searchOnlyGraph: codesT has ${codebook.codesT.length} values, expected e×k = ${e}×${k} = ${e * k}`);
  if (codebook.norms.length !== k) throw new Error(`searchOnlyGraph: norms has ${codebook.norms.length} values, expected k = ${k}`);
  const maxChunkElements = opts.maxChunkElements ?? DEFAULT_MAX_CHUNK_ELEMENTS;
  const g = new OnnxGraphBuilder('vqrae-search');
  const z = g.input('z', 'float32', ['tokens', e]);
  g.output('indices', codeSearch(g, z, codebook, maxChunkElements), 'int32', ['tokens']); // [tokens]
  return buildModel(g, {
    metadata: { 'vqrae.graph': 'search', 'vqrae.codebook_size': String(k), 'vqrae.tie_rule': TIE_RULE, 'vqrae.max_chunk_elements': String(maxChunkElements), 'vqrae.exporter': ONNX_EXPORTER_VERSION },
    producerName: '@vqrae/onnx',
    producerVersion: ONNX_EXPORTER_VERSION,
    docString: `VQRAE SimVQ code search (k=${k}, e=${e})`,
  });
}
