// A small typed builder over ONNX's protobuf messages (onnx-proto: the official onnx.proto compiled by protobufjs):
// graph inputs, constants, nodes and outputs with generated unique names, then one serialized ModelProto.
import { onnx } from "onnx-proto";

const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** ONNX's default operator set and ONNX-ML, at the versions the graph is written for (both known to onnx 1.12+). */
export const OPSET = 17;
export const ML_OPSET = 3;
export const ML_DOMAIN = "ai.onnx.ml";
/** IR version 8 goes with opset 17 (onnx 1.12 and ONNX Runtime read it). */
const IR_VERSION = 8;

export type ElemType = "float" | "double" | "int64" | "bool" | "string";

const ELEM: Record<ElemType, onnx.TensorProto.DataType> = {
  float: DataType.FLOAT,
  double: DataType.DOUBLE,
  int64: DataType.INT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
};

/** An attribute value: numbers are INT unless wrapped (`{ float: x }`), arrays of numbers INTS unless `{ floats }`. */
export type AttrValue =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { float: number }
  | { floats: readonly number[] }
  | { tensor: onnx.ITensorProto };

/** A tensor value of a graph (its name); `Value` keeps call sites readable. */
export type Value = string;

/** A dimension: a fixed size or a symbolic name (the batch, "N"). */
export type Dim = number | string;

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new RangeError(`attribute ${name}: ${v} is not an integer (wrap floats as { float })`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === "string") return { name, type: AttributeType.STRING, s: Buffer.from(v, "utf8") };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string"))
      return { name, type: AttributeType.STRINGS, strings: v.map((s: string) => Buffer.from(s, "utf8")) };
    if (!v.every((x) => typeof x === "number" && Number.isInteger(x))) throw new RangeError(`attribute ${name}: not all integers`);
    return { name, type: AttributeType.INTS, ints: [...(v as number[])] };
  }
  const o = v as { float?: number; floats?: readonly number[]; tensor?: onnx.ITensorProto };
  if (o.float !== undefined) return { name, type: AttributeType.FLOAT, f: o.float };
  if (o.floats !== undefined) return { name, type: AttributeType.FLOATS, floats: [...o.floats] };
  if (o.tensor !== undefined) return { name, type: AttributeType.TENSOR, t: o.tensor };
  throw new RangeError(`attribute ${name}: unsupported value`);
}

/** A tensor literal of the given type and shape (row-major), for initializers and tensor attributes. */
export function tensor(
  type: ElemType,
  dims: readonly number[],
  values: ArrayLike<number> | readonly string[],
  name?: string,
): onnx.ITensorProto {
  const size = dims.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new RangeError(`tensor ${name ?? ""}: ${values.length} values for shape [${dims.join(", ")}]`);
  const t: onnx.ITensorProto = { dataType: ELEM[type], dims: [...dims], ...(name === undefined ? {} : { name }) };
  const nums = (): number[] => Array.from(values as ArrayLike<number>);
  if (type === "double") t.doubleData = nums();
  else if (type === "float") t.floatData = nums();
  else if (type === "int64") t.int64Data = nums();
  else if (type === "bool") t.int32Data = nums().map((x) => (x ? 1 : 0));
  else t.stringData = (values as readonly string[]).map((s) => Buffer.from(s, "utf8"));
  return t;
}

function valueInfo(name: string, type: ElemType, dims: readonly Dim[], doc?: string): onnx.IValueInfoProto {
  return {
    name,
    ...(doc ? { docString: doc } : {}),
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface NodeOptions {
  domain?: string;
  /** Number of outputs (default 1). */
  outputs?: number;
  /** A readable stem for the generated names. */
  name?: string;
}

/** Collects one graph: call `input`, `constant` and `op`, then `output`, then `toModel`. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, Value>();
  private counter = 0;
  private usesMl = false;

  constructor(readonly graphName: string) {}

  private fresh(stem: string): string {
    const base = stem.replace(/[^A-Za-z0-9_]/g, "_");
    let name = `${base}_${this.counter++}`;
    while (this.names.has(name)) name = `${base}_${this.counter++}`;
    this.names.add(name);
    return name;
  }

  /** Number of nodes so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  input(name: string, type: ElemType, dims: readonly Dim[], doc?: string): Value {
    if (this.names.has(name)) throw new Error(`graph value ${name} is defined twice`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, type, dims, doc));
    return name;
  }

  /** A constant tensor (an initializer); identical scalars and small vectors are shared. */
  constant(type: ElemType, dims: readonly number[], values: ArrayLike<number> | readonly string[], stem = "const"): Value {
    const small = values.length <= 16;
    const key = small ? JSON.stringify([type, dims, Array.from(values as ArrayLike<unknown>)]) : null;
    const cached = key === null ? undefined : this.constants.get(key);
    if (cached !== undefined) return cached;
    const name = this.fresh(stem);
    this.initializers.push(tensor(type, dims, values, name));
    if (key !== null) this.constants.set(key, name);
    return name;
  }

  scalar(type: "double" | "int64" | "float", value: number): Value {
    return this.constant(type, [], [value], `${type}_scalar`);
  }

  /** Adds one node; returns its output (or outputs, when `options.outputs` > 1, via `opMulti`). */
  op(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}): Value {
    return this.opMulti(opType, inputs, attrs, { ...options, outputs: 1 })[0] as Value;
  }

  opMulti(opType: string, inputs: readonly Value[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}): Value[] {
    const outputs = Array.from({ length: options.outputs ?? 1 }, () => this.fresh(options.name ?? opType));
    if (options.domain === ML_DOMAIN) this.usesMl = true;
    this.nodes.push({
      opType,
      name: this.fresh(`${options.name ?? opType}_node`),
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      ...(options.domain ? { domain: options.domain } : {}),
    });
    return outputs;
  }

  /** Exposes `value` under the graph output `name` (through an Identity, so any value can be an output). */
  output(name: string, value: Value, type: ElemType, dims: readonly Dim[], doc?: string): void {
    if (this.names.has(name)) throw new Error(`graph value ${name} is defined twice`);
    this.names.add(name);
    this.nodes.push({ opType: "Identity", name: this.fresh(`${name}_node`), input: [value], output: [name] });
    this.outputs.push(valueInfo(name, type, dims, doc));
  }

  toModel(meta: { producer: string; version: string; doc: string; properties: Record<string, string> }): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: meta.producer,
      producerVersion: meta.version,
      docString: meta.doc,
      opsetImport: [{ domain: "", version: OPSET }, ...(this.usesMl ? [{ domain: ML_DOMAIN, version: ML_OPSET }] : [])],
      graph: { name: this.graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(meta.properties).map(([key, value]) => ({ key, value })),
    });
  }
}

/** The serialized bytes of a model. */
export function encodeModel(model: onnx.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Reads a serialized model back (metadata checks, tests). */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
