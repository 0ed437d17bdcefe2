// Typed shorthands over GraphBuilder for the operators the exported scoring path uses. Every value is a column
// [N, 1] unless a comment says otherwise; numbers are double after the inputs, booleans are tensor(bool).
import { type GraphBuilder, ML_DOMAIN, type Value } from "./graph";

const DOUBLE = 11;
const INT64 = 7;
const FLOAT = 1;

export class Ops {
  constructor(readonly g: GraphBuilder) {}

  // Constants.
  d(x: number): Value {
    return this.g.scalar("double", x);
  }
  i(x: number): Value {
    return this.g.scalar("int64", x);
  }
  ints(xs: readonly number[]): Value {
    return this.g.constant("int64", [xs.length], xs, "ints");
  }
  doubles(xs: ArrayLike<number>, stem = "doubles"): Value {
    return this.g.constant("double", [xs.length], xs, stem);
  }

  // Casts.
  toDouble(x: Value): Value {
    return this.g.op("Cast", [x], { to: DOUBLE });
  }
  toFloat(x: Value): Value {
    return this.g.op("Cast", [x], { to: FLOAT });
  }
  toInt64(x: Value): Value {
    return this.g.op("Cast", [x], { to: INT64 });
  }

  // Arithmetic (broadcasting).
  add(a: Value, b: Value): Value {
    return this.g.op("Add", [a, b]);
  }
  sub(a: Value, b: Value): Value {
    return this.g.op("Sub", [a, b]);
  }
  mul(a: Value, b: Value): Value {
    return this.g.op("Mul", [a, b]);
  }
  div(a: Value, b: Value): Value {
    return this.g.op("Div", [a, b]);
  }
  /** Sum of several values, left to right. */
  sum(values: readonly Value[]): Value {
    if (values.length === 0) throw new RangeError("sum of nothing");
    return values.slice(1).reduce((acc, v) => this.add(acc, v), values[0] as Value);
  }

  // Comparisons and logic.
  eq(a: Value, b: Value): Value {
    return this.g.op("Equal", [a, b]);
  }
  ge(a: Value, b: Value): Value {
    return this.g.op("GreaterOrEqual", [a, b]);
  }
  gt(a: Value, b: Value): Value {
    return this.g.op("Greater", [a, b]);
  }
  isNaN(x: Value): Value {
    return this.g.op("IsNaN", [x]);
  }
  not(x: Value): Value {
    return this.g.op("Not", [x]);
  }
  or(values: readonly Value[]): Value {
    if (values.length === 0) throw new RangeError("or of nothing");
    return values.slice(1).reduce((acc, v) => this.g.op("Or", [acc, v]), values[0] as Value);
  }
  and(a: Value, b: Value): Value {
    return this.g.op("And", [a, b]);
  }
  where(condition: Value, then: Value, otherwise: Value): Value {
    return this.g.op("Where", [condition, then, otherwise]);
  }
  /** 1.0 where true, 0.0 where false. */
  indicator(condition: Value): Value {
    return this.toDouble(condition);
  }

  // Shapes.
  concatColumns(columns: readonly Value[]): Value {
    return columns.length === 1 ? (columns[0] as Value) : this.g.op("Concat", columns, { axis: 1 });
  }
  /** [N, 1] -> [N]. */
  flatten(x: Value): Value {
    return this.g.op("Squeeze", [x, this.ints([1])]);
  }

  /** ai.onnx.ml LabelEncoder from strings to int64 codes; anything not in `keys` gets `otherwise`. */
  stringCodes(x: Value, keys: readonly string[], codes: readonly number[], otherwise: number): Value {
    return this.g.op(
      "LabelEncoder",
      [x],
      { keys_strings: keys, values_int64s: codes, default_int64: otherwise },
      { domain: ML_DOMAIN, name: "codes" },
    );
  }

  /** ai.onnx.ml LabelEncoder from int64 to int64 (a lookup table); anything not in `keys` gets `otherwise`. */
  recode(x: Value, keys: readonly number[], codes: readonly number[], otherwise: number): Value {
    return this.g.op(
      "LabelEncoder",
      [x],
      { keys_int64s: keys, values_int64s: codes, default_int64: otherwise },
      { domain: ML_DOMAIN, name: "recode" },
    );
  }

  /** One-hot columns [N, depth] (double) of int64 indices [N, 1] in [0, depth); float values (ONNX Runtime's kernel), then double. */
  oneHot(index: Value, depth: number): Value {
    const offOn = this.g.constant("float", [2], [0, 1], "off_on");
    const hot = this.g.op("OneHot", [index, this.g.constant("int64", [1], [depth], "depth"), offOn], { axis: -1 });
    return this.toDouble(this.g.op("Squeeze", [hot, this.ints([1])]));
  }
}
