"""Minimal safetensors writer/reader shared by every Python tool here (the `safetensors` package is not installed).

Format: 8-byte little-endian u64 header length n, then n bytes of UTF-8 JSON mapping each tensor name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data block that follows the header) plus an
optional "__metadata__" dict of string -> string, then the raw little-endian row-major data block.

Tensors may be numpy arrays or torch tensors (torch is imported only when one is passed or asked for).
"""
import hashlib
import json
import struct

import numpy as np

_DTYPES = {np.dtype('float32'): 'F32', np.dtype('float16'): 'F16', np.dtype('int32'): 'I32',
           np.dtype('int64'): 'I64', np.dtype('uint8'): 'U8', np.dtype('float64'): 'F64'}
_NUMPY = {v: k for k, v in _DTYPES.items()}


def _as_numpy(value):
    """A C-contiguous numpy array of a numpy array or a torch tensor (detached, on the CPU)."""
    if hasattr(value, 'detach'):
        return value.detach().contiguous().cpu().numpy()
    return np.ascontiguousarray(value)


def _raw_bytes(array, dtype, name):
    """Row-major little-endian bytes of `array` stored as `dtype` (F32, F16, F64, I32, I64, U8, or BF16)."""
    if dtype == 'BF16':
        # bfloat16 = the high 16 bits of the float32 pattern, rounded to nearest even (as torch does)
        bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
        return rounded.astype('<u2').tobytes()
    if dtype not in _NUMPY:
        raise ValueError(f'write_safetensors: unsupported dtype {dtype} for {name}')
    numpy_type = _NUMPY[dtype]
    return array.astype(numpy_type).astype(numpy_type.newbyteorder('<'), copy=False).tobytes()


def write_safetensors(path, tensors, metadata=None, dtypes=None, sort_names=True):
    """Writes {name: numpy array | torch tensor} and optional string metadata to `path`.

    `dtypes` maps a name to a storage dtype (e.g. 'BF16'; default: the array's own). Names are written sorted
    (default) or, with sort_names=False, in insertion order (the tokenizer fixtures' layout).
    """
    dtypes = dtypes or {}
    header = {}
    blobs = []
    offset = 0
    for name in (sorted(tensors) if sort_names else list(tensors)):
        array = _as_numpy(tensors[name])
        if array.dtype not in _DTYPES:
            raise ValueError(f'write_safetensors: unsupported dtype {array.dtype} for {name}')
        dtype = dtypes.get(name) or _DTYPES[array.dtype]
        data = _raw_bytes(array, dtype, name)
        header[name] = {'dtype': dtype, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
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


def read_safetensors(path, as_torch=False):
    """Reads a whole safetensors file into ({name: numpy array | torch tensor}, metadata dict); BF16 → float32."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n).decode('utf-8'))
        data = f.read()
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        raw = data[begin:end]
        if info['dtype'] == 'BF16':
            values = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            values = np.frombuffer(raw, dtype=_NUMPY[info['dtype']].newbyteorder('<'))
        tensors[name] = values.reshape(info['shape']).copy()
    if as_torch:
        import torch
        tensors = {name: torch.from_numpy(array) for name, array in tensors.items()}
    return tensors, metadata


def sha256_file(path):
    """Hex sha256 of a file (provenance metadata of converted weights)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def write_safetensors_in_order(path, tensors, metadata=None, dtypes=None):
    """write_safetensors keeping the insertion order of `tensors` (the layout of the tokenizer parity fixtures)."""
    write_safetensors(path, tensors, metadata=metadata, dtypes=dtypes, sort_names=False)
