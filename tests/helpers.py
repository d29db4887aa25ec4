"""Small hand-built scenarios for tests."""

from __future__ import annotations

from eosdnn.problems.environment import Bandwidth, Environment, Node
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import Scenario, Task

MB = 2**20


def environment(clients=(1.0,), edge=(), cloud=(), edge_pools=1, cloud_pools=1, **bandwidth) -> Environment:
    nodes = [Node(f"client{i}", "client", g, 1) for i, g in enumerate(clients)]
    nodes += [Node(f"edge{i}", "edge", g, edge_pools) for i, g in enumerate(edge)]
    nodes += [Node(f"cloud{i}", "cloud", g, cloud_pools) for i, g in enumerate(cloud)]
    return Environment(nodes, Bandwidth(**bandwidth))


def chain(name: str, flops: list[float], out_mb: list[float], input_mb: float = 1.0, weights_mb=None) -> DnnModel:
    weights_mb = weights_mb or [0.0] * len(flops)
    layers = []
    for i, (f, o, w) in enumerate(zip(flops, out_mb, weights_mb)):
        layers.append(Layer(f"{name}{i}", f, o * MB, w * MB, (f"{name}{i - 1}",) if i else ()))
    return DnnModel(name, input_mb * MB, tuple(layers))


def diamond(name: str = "dag") -> DnnModel:
    """a -> (b, c) -> d: one fork and one join."""
    return DnnModel(name, 0.5 * MB, (
        Layer("a", 2e8, 1.0 * MB, 0.0),
        Layer("b", 3e8, 0.5 * MB, 0.0, ("a",)),
        Layer("c", 1e8, 0.25 * MB, 0.0, ("a",)),
        Layer("d", 2e8, 0.1 * MB, 0.0, ("b", "c")),
    ))


def scenario(env: Environment, models: list[DnnModel], clients: list[int] | None = None, **kwargs) -> Scenario:
    clients = clients if clients is not None else [i % env.n_clients for i in range(len(models))]
    return Scenario(env, [Task(m, c) for m, c in zip(models, clients)], **kwargs)


def chain_dp(env: Environment, model: DnnModel, client: int) -> float:
    """Shortest path over (layer, node): the exact optimum of one chain without contention."""
    spb = env.seconds_per_byte()
    nodes = env.allowed_nodes(client)
    hz = env.hz()
    layers = model.layers
    best = {n: model.input_bytes * spb[client, n] + layers[0].flops / hz[n] for n in nodes}
    for prev, layer in zip(layers, layers[1:]):
        best = {n: min(best[m] + prev.out_bytes * spb[m, n] for m in nodes) + layer.flops / hz[n] for n in nodes}
    return min(best[n] + layers[-1].out_bytes * spb[n, client] for n in nodes)


def assert_one_error_line(run, args: list[str], needle: str, capsys) -> str:
    """`run(args)` (the command line's main) exits 2 with exactly one `error:` line on stderr that
    contains `needle`, and no traceback; returns the line."""
    code = run(args)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, f"{args}: exit {code}, stderr {captured.err[-500:]!r}"
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]
