"""Minimal safetensors writer/reader (the `safetensors` Python package is not installed here).

Format: 8-byte little-endian u64 header length n, then n bytes of UTF-8 JSON mapping each tensor name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data block that follows the header) plus an
optional "__metadata__" dict of string -> string, then the raw little-endian row-major data block.
"""
import hashlib
import json
import struct

import numpy as np

_DTYPES = {np.dtype('float32'): 'F32', np.dtype('float16'): 'F16', np.dtype('int32'): 'I32',
           np.dtype('int64'): 'I64', np.dtype('uint8'): 'U8', np.dtype('float64'): 'F64'}
_NUMPY = {v: k for k, v in _DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: numpy array} (C-contiguous, little-endian) and optional string metadata to `path`."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        if array.dtype not in _DTYPES:
            raise ValueError(f'write_safetensors: unsupported dtype {array.dtype} for {name}')
        data = array.astype(array.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': _DTYPES[array.dtype], 'shape': list(array.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(',', ':')).encode('utf-8')
    encoded += b' ' * ((8 - len(encoded) % 8) % 8)  # align the data block to 8 bytes
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Reads a whole safetensors file into ({name: numpy array}, metadata dict)."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n).decode('utf-8'))
        data = f.read()
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        tensors[name] = np.frombuffer(data[begin:end], dtype=_NUMPY[info['dtype']]).reshape(info['shape']).copy()
    return tensors, metadata


def sha256_file(path):
    """Hex sha256 of a file (provenance metadata of converted weights)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()
