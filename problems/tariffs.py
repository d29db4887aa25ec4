"""What a plan costs besides time: the clients' power and the servers' prices (MODEL.md section 3a).

Every number is optional in a scenario; the defaults and their sources are in docs/CHOICES.md
("Energy and prices"):

- a client's power while it computes a layer, sends, receives, and idles while one of its tasks is
  away on a server: an ODROID-XU4 phone-class board as measured in the IONN work (Jeong et al.,
  SoCC 2018): compute 7.239 W, transfer 6.611 W (sending and receiving alike), idle 3.977 W;
- a server's price per second of one pool's use, in USD: a serverless function of 1 GB, AWS Lambda
  0.00001667 USD per GB-second in the cloud and Lambda@Edge 0.00005001 USD per GB-second at the
  edge; and its price per MB it sends to another tier (egress): AWS's data transfer out to the
  internet, 0.09 USD per GB, for the cloud, nothing for the edge.
"""

from __future__ import annotations

import math

import attrs

from eosdnn.framework.errors import EosdnnError

MB = 2**20  # bytes in one MB, as the layer sizes use
POWER_RANGE = (0.0, 1e4)  # W: a sensor's nothing to a rack's ten kilowatts
PRICE_RANGE = (0.0, 1e3)  # USD per second or per MB


def check_amount(field: str, value: object, limits: tuple[float, float]) -> float:
    """A finite number within `limits` (zero allowed), or one error naming the field."""
    low, high = limits
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise EosdnnError(f"{field}: must be a finite number, got {value!r}")
    if not low <= value <= high:
        raise EosdnnError(f"{field}: {value!r} is outside the supported range [{low:g}, {high:g}]")
    return float(value)


def _amount(field: str, limits: tuple[float, float]):
    def check(_instance, _attribute, value) -> None:
        check_amount(field, value, limits)

    return check


@attrs.frozen
class Power:
    """A client's power draw in W: computing a layer, sending, receiving, and idle while a task of
    its own waits for a server or a link (MODEL.md section 3a)."""

    compute_w: float = attrs.field(default=7.239, converter=float, validator=_amount("compute_w", POWER_RANGE))
    transmit_w: float = attrs.field(default=6.611, converter=float, validator=_amount("transmit_w", POWER_RANGE))
    receive_w: float = attrs.field(default=6.611, converter=float, validator=_amount("receive_w", POWER_RANGE))
    idle_w: float = attrs.field(default=3.977, converter=float, validator=_amount("idle_w", POWER_RANGE))


@attrs.frozen
class Price:
    """A server's prices in USD: per second of one pool's use, and per MB it sends to a node of
    another tier."""

    per_second: float = attrs.field(converter=float, validator=_amount("price_per_second", PRICE_RANGE))
    egress_per_mb: float = attrs.field(default=0.0, converter=float, validator=_amount("egress_per_mb", PRICE_RANGE))


TIER_PRICES = {"edge": Price(5.001e-5, 0.0), "cloud": Price(1.667e-5, 0.09 / 1024)}
POWER_FIELDS = tuple(field.name for field in attrs.fields(Power))
PRICE_FIELDS = {"price_per_second": "per_second", "egress_per_mb": "egress_per_mb"}  # TOML key -> field
