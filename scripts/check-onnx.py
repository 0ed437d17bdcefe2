#!/usr/bin/python3
"""Checks exported churn graphs with ONNX's own checker (Debian's python3-onnx): `onnx.checker.check_model` with
full shape and type inference, then the interface `churn export` documents. Usage: check-onnx.py FILE.onnx..."""
import sys

import onnx

EXPECTED_OUTPUTS = ["churn_probability", "churn", "risk_band"]
METADATA = ["model_version", "model_checksum", "threshold", "training_data_sha256"]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    outputs = [o.name for o in model.graph.output]
    if outputs != EXPECTED_OUTPUTS:
        raise SystemExit(f"{path}: outputs {outputs}, expected {EXPECTED_OUTPUTS}")
    props = {p.key: p.value for p in model.metadata_props}
    missing = [k for k in METADATA if not props.get(k)]
    if missing:
        raise SystemExit(f"{path}: metadata lacks {', '.join(missing)}")
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    print(
        f"{path}: onnx.checker ok (onnx {onnx.__version__}, IR {model.ir_version}, {opsets}; "
        f"{len(model.graph.input)} inputs, {len(model.graph.node)} nodes; {props['model_version']})"
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: check-onnx.py FILE.onnx...")
    for f in sys.argv[1:]:
        check(f)
