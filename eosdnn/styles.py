"""One look per solver and planner, in every figure and command (`reproduce`, `compare --plot`,
`sweep report --plot`, `upload --plot`): the same colour, marker and line style wherever a series
appears, so that a reader learns them once. Series are named by their registry name
(`eosdnn-paper`), by their display label (`EosDNN (paper)`), or by a label that starts with either
(`psoga (particles=20)`, `EosDNN (paper) transfer`); within one figure, series that would look
alike (two parameter sets of one solver, parts of one method) get distinct line styles and markers,
so no line can hide another."""

from __future__ import annotations

import re

import attrs

LineStyle = str | tuple[int, tuple[int, ...]]  # a matplotlib dash: a name or (offset, (on, off, ...))


@attrs.frozen
class Style:
    """How one series is drawn: matplotlib colour, marker and line style, and its display label."""

    color: str
    marker: str
    linestyle: LineStyle = "-"
    label: str = ""

    def line_kwargs(self) -> dict:
        return {"color": self.color, "marker": self.marker, "linestyle": self.linestyle}


# registry name -> style; colours and markers all distinct (the lower bound is always black)
KNOWN: dict[str, Style] = {
    # migration solvers
    "eosdnn-paper": Style("#1f77b4", "o", "-", "EosDNN (paper)"),
    "eosdnn-plus": Style("#9467bd", "D", "-", "EosDNN+"),
    "psoga": Style("#7f7f7f", "x", "-", "PSO-GA (bare)"),
    "ga": Style("#ff7f0e", "s", "-", "GA"),
    "prepso": Style("#2ca02c", "^", "-", "prePSO"),
    "greedy": Style("#d62728", "v", "-", "Greedy"),
    "heft": Style("#8c564b", "P", "-", "HEFT"),
    "peft": Style("#e377c2", "*", "-", "PEFT"),
    "local-search": Style("#bcbd22", "h", "-", "local search"),
    "best-response": Style("#17becf", "X", "-", "best response"),
    "two-step": Style("#393b79", "<", "-", "two-step"),
    "random": Style("#aec7e8", ">", "-", "random search"),
    "milp": Style("#637939", "d", "-", "MILP"),
    "milp-free": Style("#8c6d31", "1", "-", "MILP (free order)"),
    "cpsat": Style("#843c39", "2", "-", "CP-SAT"),
    "exhaustive": Style("#7b4173", "3", "-", "exhaustive"),
    "all-local": Style("#c49c94", "4", ":", "all-local"),
    "all-edge": Style("#c7c7c7", "8", ":", "all-edge"),
    "all-cloud": Style("#dbdb8d", "p", ":", "all-cloud"),
    # uploading planners
    "non-uploading": Style("#525252", ".", "-", "Non-uploading"),
    "ionn": Style("#fd8d3c", "s", "--", "IONN"),
    "recursive-efficiency": Style("#31a354", "^", "-", "Recursive-efficiency"),
    "lmu": Style("#3182bd", "o", "-", "LMU"),
    "exact": Style("#000000", "", ":", "exact (DP)"),
    "lower bound": Style("#000000", "", "-", "lower bound"),
}
FALLBACK_COLORS = ("#a6761d", "#6b6ecf", "#b5cf6b", "#e7ba52", "#d6616b", "#ce6dbd", "#9c9ede", "#cedb9c", "#e7969c")
FALLBACK_MARKERS = ("o", "s", "^", "v", "D", "P", "*", "X")
VARIANTS: tuple[tuple[LineStyle, str | None], ...] = (("--", None), (":", "s"), ("-.", "^"), ((0, (5, 1, 1, 1)), "v"), ((0, (1, 3)), "D"))
BY_LABEL = {style.label.lower(): name for name, style in KNOWN.items()}
EXTRA_LABELS = {"eosdnn": "eosdnn-plus"}  # the renamed solver's old name


def base_name(series: str) -> str | None:
    """The registry name a series belongs to: itself, its label's, or the longest name or label its
    text starts with (followed by a space, `(`, `:` or `,`)."""
    text = series.strip().lower()
    if text in KNOWN:
        return text
    if text in BY_LABEL:
        return BY_LABEL[text]
    if text in EXTRA_LABELS:
        return EXTRA_LABELS[text]
    candidates = [(len(key), name) for key, name in [*((n, n) for n in KNOWN), *BY_LABEL.items(), *EXTRA_LABELS.items()]
                  if re.match(re.escape(key) + r"(\s|\(|:|,|$)", text)]
    return max(candidates)[1] if candidates else None


def styles_for(series: list[str]) -> dict[str, Style]:
    """The style of every series of one figure: a known solver's or planner's own; an unknown series
    a fallback colour; a series that would look like an earlier one of the figure, a variant (line
    style and marker) of it."""
    chosen: dict[str, Style] = {}
    seen: dict[tuple, int] = {}
    unknown = 0
    for name in series:
        base = base_name(name)
        if base is not None:
            style = attrs.evolve(KNOWN[base], label=name)
        else:
            style = Style(FALLBACK_COLORS[unknown % len(FALLBACK_COLORS)],
                          FALLBACK_MARKERS[unknown % len(FALLBACK_MARKERS)], "-", name)
            unknown += 1
        look = (style.color, style.marker, style.linestyle)
        count = seen.get(look, 0)
        seen[look] = count + 1
        if count:  # another dash, marker and a darker shade: visible even on top of the first
            linestyle, marker = VARIANTS[(count - 1) % len(VARIANTS)]
            style = attrs.evolve(style, linestyle=linestyle, marker=marker or style.marker or "o",
                                 color=darker(style.color, 0.45 if count % 2 else 0.25))
        chosen[name] = style
    return chosen


def darker(color: str, amount: float) -> str:
    """A `#rrggbb` colour mixed with black (`amount` of black)."""
    channels = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in channels)


def label_of(name: str) -> str:
    """A registry name's display label (the name itself when it has none)."""
    return KNOWN[name].label if name in KNOWN else name
