"""Nodes, tiers and bandwidths of a local-edge-cloud system (MODEL.md section 1)."""

from __future__ import annotations

import math

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.params import FieldName, as_tuple, whole
from eosdnn.problems.tariffs import TIER_PRICES, Power, Price

TIERS = ("client", "edge", "cloud")
MB = 2**20  # bytes in one MB, as the paper's layer sizes use

# The paper's section VII-A setup.
PAPER_COUNTS = {"client": 4, "edge": 5, "cloud": 5}
PAPER_POOLS = {"client": 1, "edge": 2, "cloud": 8}
PAPER_GHZ_RANGES = {"client": (1.1, 2.3), "edge": (4.2, 18.3), "cloud": (40.0, 120.0)}


# The sane ranges of the physical quantities (MODEL.md section 1): wide enough for any device or
# link of today (a 1 MHz microcontroller to a 100 THz aggregate; 1 B/s to 1 PB/s), narrow enough
# that no time, product or sum of the evaluator underflows to 0 or overflows to infinity.
GHZ_RANGE = (1e-3, 1e5)
BANDWIDTH_RANGE = (1e-6, 1e9)  # MB/s
FLOPS_PER_CYCLE_RANGE = (1e-3, 1e6)


def in_range(field: str, value: object, limits: tuple[float, float], what: str = "number") -> None:
    """Refuse a value that is not a finite number within `limits` (the one range check of the model)."""
    low, high = limits
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise EosdnnError(f"{field}: must be a positive finite {what}, got {value!r}")
    if not low <= value <= high:
        raise EosdnnError(f"{field}: {value!r} is outside the supported range [{low:g}, {high:g}]")


def _positive(field: str, limits: tuple[float, float] = BANDWIDTH_RANGE):
    def check(_instance, _attribute, value) -> None:
        in_range(field, value, limits)

    return check


def _default_power(node: "Node") -> Power | None:
    return Power() if node.tier == "client" else None


def _default_price(node: "Node") -> Price | None:
    return TIER_PRICES.get(node.tier)


@attrs.frozen
class Node:
    """One compute node: a client, an edge server or a cloud server. A client has a power draw
    (`power`), a server its prices (`price`); the other is None (MODEL.md section 3a)."""

    name: str
    tier: str = attrs.field()
    ghz: float = attrs.field(converter=float)
    pools: int = attrs.field()
    power: Power | None = attrs.field(default=attrs.Factory(_default_power, takes_self=True))
    price: Price | None = attrs.field(default=attrs.Factory(_default_price, takes_self=True))

    def __attrs_post_init__(self) -> None:
        if (self.power is None) != (self.tier != "client"):
            raise EosdnnError(f"{self.name}.power: a client has a power draw and a server none")
        if (self.price is None) != (self.tier == "client"):
            raise EosdnnError(f"{self.name}.price: a server has prices and a client none")

    @tier.validator
    def _check_tier(self, _attribute, value: str) -> None:
        if value not in TIERS:
            raise EosdnnError(f"{self.name}.tier: unknown tier {value!r} (expected one of {', '.join(TIERS)})")

    @ghz.validator
    def _check_ghz(self, _attribute, value: float) -> None:
        in_range(f"{self.name}.ghz", value, GHZ_RANGE)

    @pools.validator
    def _check_pools(self, _attribute, value: int) -> None:
        whole(1)(self, FieldName(f"{self.name}.pools"), value)


@attrs.frozen
class Bandwidth:
    """Link bandwidths between tiers in MB/s; clients never talk to each other (eq. 2)."""

    client_edge: float = attrs.field(default=10.0, converter=float, validator=_positive("bandwidth.client_edge"))
    client_cloud: float = attrs.field(default=0.5, converter=float, validator=_positive("bandwidth.client_cloud"))
    edge_cloud: float = attrs.field(default=5.0, converter=float, validator=_positive("bandwidth.edge_cloud"))
    edge_edge: float = attrs.field(default=10.0, converter=float, validator=_positive("bandwidth.edge_edge"))
    cloud_cloud: float = attrs.field(default=10.0, converter=float, validator=_positive("bandwidth.cloud_cloud"))

    def between(self, tier_a: str, tier_b: str) -> float:
        """MB/s between two distinct nodes of the given tiers (0 for two clients)."""
        low, high = sorted((TIERS.index(tier_a), TIERS.index(tier_b)))
        return {
            (0, 0): 0.0,
            (0, 1): self.client_edge,
            (0, 2): self.client_cloud,
            (1, 2): self.edge_cloud,
            (1, 1): self.edge_edge,
            (2, 2): self.cloud_cloud,
        }[low, high]


@attrs.frozen
class Environment:
    """All nodes, ordered clients, edge servers, cloud servers, and the links between them."""

    nodes: tuple[Node, ...] = attrs.field(converter=as_tuple)
    bandwidth: Bandwidth = attrs.field(factory=Bandwidth)
    flops_per_cycle: float = attrs.field(default=1.0, converter=float, validator=_positive("environment.flops_per_cycle",
                                                                            FLOPS_PER_CYCLE_RANGE))

    def __attrs_post_init__(self) -> None:
        order = [TIERS.index(node.tier) for node in self.nodes]
        if order != sorted(order):
            raise EosdnnError("environment.nodes: must be ordered clients, then edge, then cloud")
        if self.count("client") < 1:
            raise EosdnnError("environment.clients.count: at least one client is needed")
        if self.count("edge") + self.count("cloud") < 1:
            raise EosdnnError("environment: at least one edge or cloud server is needed")

    def count(self, tier: str) -> int:
        return sum(1 for node in self.nodes if node.tier == tier)

    @property
    def n_clients(self) -> int:
        return self.count("client")

    @property
    def n_edge(self) -> int:
        return self.count("edge")

    @property
    def n_cloud(self) -> int:
        return self.count("cloud")

    @property
    def names(self) -> list[str]:
        return [node.name for node in self.nodes]

    def index(self, name: str) -> int:
        for i, node in enumerate(self.nodes):
            if node.name == name:
                return i
        shown = ", ".join(self.names[:20]) + (", ..." if len(self.nodes) > 20 else "")
        raise EosdnnError(f"node {name!r}: no such node (nodes are {shown})")

    def hz(self) -> np.ndarray:
        """Cycles per second of every node."""
        return np.array([node.ghz * 1e9 for node in self.nodes])

    def pools(self) -> np.ndarray:
        return np.array([node.pools for node in self.nodes], dtype=np.int64)

    def power_w(self) -> np.ndarray:
        """(nodes, 4) W: compute, transmit, receive, idle of every client; 0 for servers."""
        return np.array([attrs.astuple(node.power) if node.power is not None else (0.0,) * 4 for node in self.nodes])

    def price_per_second(self) -> np.ndarray:
        """USD per second of one pool's use on every node (0 on clients)."""
        return np.array([node.price.per_second if node.price is not None else 0.0 for node in self.nodes])

    def egress_per_byte(self) -> np.ndarray:
        """(nodes, nodes) USD per byte sent from node a to node b: a server's egress price towards
        another tier, 0 within a tier and from clients."""
        tier = np.array([TIERS.index(node.tier) for node in self.nodes])
        per_mb = np.array([node.price.egress_per_mb if node.price is not None else 0.0 for node in self.nodes])
        return np.where(tier[:, None] != tier[None, :], per_mb[:, None] / MB, 0.0)

    def bandwidth_mb_s(self) -> np.ndarray:
        """MB/s between every pair of nodes; inf on the diagonal (same node), 0 between clients."""
        b = self.bandwidth
        by_tiers = np.array([[0.0, b.client_edge, b.client_cloud],
                             [b.client_edge, b.edge_edge, b.edge_cloud],
                             [b.client_cloud, b.edge_cloud, b.cloud_cloud]])
        tier = np.array([TIERS.index(node.tier) for node in self.nodes], dtype=np.int64)
        matrix = by_tiers[tier[:, None], tier[None, :]]
        np.fill_diagonal(matrix, math.inf)
        return matrix

    def seconds_per_byte(self) -> np.ndarray:
        """Transfer seconds per byte between every pair of nodes (0 same node, inf unreachable)."""
        with np.errstate(divide="ignore"):
            return 1.0 / (self.bandwidth_mb_s() * MB)

    def allowed_nodes(self, client: int) -> list[int]:
        """Node indices a task owned by `client` may use: gene value g maps to entry g."""
        servers = [i for i, node in enumerate(self.nodes) if node.tier != "client"]
        return [client, *servers]


def make_nodes(tier: str, ghz: list[float], pools: list[int], power: list[Power] | None = None,
               price: list[Price] | None = None) -> list[Node]:
    """The nodes of one tier, named by tier and index; power (clients) and price (servers) default
    to the tier's (`problems.tariffs`)."""
    prefix = {"client": "client", "edge": "edge", "cloud": "cloud"}[tier]
    nodes = [Node(f"{prefix}{i}", tier, g, p) for i, (g, p) in enumerate(zip(ghz, pools, strict=True))]
    if power is not None:
        nodes = [attrs.evolve(node, power=watts) for node, watts in zip(nodes, power, strict=True)]
    if price is not None:
        nodes = [attrs.evolve(node, price=cost) for node, cost in zip(nodes, price, strict=True)]
    return nodes
