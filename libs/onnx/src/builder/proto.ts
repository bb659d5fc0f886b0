/**
 * The ONNX protobuf messages (onnx-proto 8.0.1: protobufjs-generated from onnx v1.10.2, IR version 8) and the
 * element types this project writes. onnx-proto is a CommonJS module; its one export is the `onnx` namespace.
 */
import onnxProto from 'onnx-proto';

/** The generated ONNX message classes (`onnx.ModelProto`, `onnx.TensorProto`, ...). */
export const onnx = onnxProto.onnx;
export type { onnx as OnnxMessages } from 'onnx-proto';

/** IR version written into every model (onnx 1.10 = IR 8; opsets up to 17+ need IR ≥ 8). */
export const IR_VERSION = 8;

/** Element types a graph built here may carry. */
export type OnnxDataType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8';

/** ONNX `TensorProto.DataType` codes. */
export const DATA_TYPE_CODES: Readonly<Record<OnnxDataType, number>> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

/** Bytes per element of each type (bool stored as one byte). */
export const BYTES_PER_ELEMENT: Readonly<Record<OnnxDataType, number>> = {
  float32: 4,
  uint8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
};

/** A dimension: a fixed size or a symbolic name (`'batch'`). */
export type Dim = number | string;
