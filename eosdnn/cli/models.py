"""`eosdnn models`: the built-in models, `models show NAME`, and `models import` of an ONNX model
or a measured layer table."""

from __future__ import annotations

import argparse
import sys
import warnings

import attrs

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import check_outputs, console
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models import BUILTIN, builtin_model, resolve_model, save_model
from eosdnn.problems.models.measured import NO_WEIGHTS, UNITS, load_measured_table, with_weights_from

HELP = "built-in models; `models show NAME`; `models import CSV --host-ghz G`"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["show", "import"])
    p.add_argument("name", nargs="?",
                   help="model name, model JSON or ONNX path (show); ONNX model or measured CSV table (import)")
    p.add_argument("--json", metavar="PATH", help="write the model in the model JSON format")
    p.add_argument("--layers", action="store_true",
                   help="show, import: print every layer (default: a one-line summary)")
    p.add_argument("--host-ghz", type=flags.positive_number, help="import: clock of the host that measured the table")
    p.add_argument("--unit", choices=sorted(UNITS), default="mib",
                   help="import: unit of output_size_mb (mib: MiB of float32; mb: decimal MB; mib8: elements*8/2**20)")
    p.add_argument("--model-name", help="import: name of the model (default: the file name)")
    p.add_argument("--strict", action="store_true",
                   help="import: refuse a table with structural defects instead of repairing")
    p.add_argument("--weights-from", metavar="MODEL",
                   help="import CSV: take weight sizes from a built-in model or model JSON with the same layer names "
                        "(or the same number of layers)")
    p.add_argument("--granularity", choices=["fused", "node"], default="fused",
                   help="import .onnx: fold elementwise and shape-only nodes into their producer (default) or keep "
                        "every node")
    p.add_argument("--batch", type=flags.whole_number(1, 1_000_000), default=1,
                   help="import .onnx: size of dynamic dimensions (default 1)")
    p.add_argument("--input-shape", type=flags.shape_type, help="import .onnx: the input's shape, e.g. 1,3,224,224")
    p.add_argument("--unknown", choices=["error", "zero"], default="error",
                   help="import .onnx: an unsupported op is an error (default) or a layer of zero operations")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    out = console(args)
    if args.action is None:
        if args.json:
            raise EosdnnError("--json: give a model, e.g. `eosdnn models show vgg19 --json vgg19.json`")
        out.print(report.models_table([builtin_model(name) for name in BUILTIN]))
        return
    if args.action == "show":
        if not args.name:
            raise EosdnnError("models show: give a model name or a model JSON path")
        model = resolve_model(args.name)
    elif args.name and args.name.lower().endswith(".onnx"):  # import an ONNX model
        from eosdnn.problems.models.onnx_import import import_onnx

        with warnings.catch_warnings(record=True) as caught:  # `--unknown zero`: one warning line per op
            warnings.simplefilter("always")
            model = import_onnx(args.name, granularity=args.granularity, batch=args.batch,
                                input_shape=args.input_shape, unknown=args.unknown, name=args.model_name)
        for warning in caught:
            print(f"warning: {warning.message}", file=sys.stderr)
    else:  # import a measured table
        if not args.name:
            raise EosdnnError("models import: give an ONNX model (.onnx) or a measured layer table (CSV)")
        if args.host_ghz is None:
            raise EosdnnError("--host-ghz: the clock of the host that measured the table is needed")
        measured = load_measured_table(args.name, host_ghz=args.host_ghz, unit=args.unit, name=args.model_name,
                                       repair=not args.strict)
        if args.weights_from:
            weighted = with_weights_from(measured.model, resolve_model(args.weights_from))
            kept = tuple(note for note in measured.notes if NO_WEIGHTS not in note)
            measured = attrs.evolve(weighted, notes=kept + weighted.notes)
        for note in measured.notes:
            out.print(f"[yellow]note:[/] {note}", highlight=False)
        model = measured.model
    out.print(report.model_table(model) if args.layers else report.model_summary_table(model))
    if args.json:
        save_model(model, args.json)
