"""One look per solver and planner: every built-in has its own colour and marker, labels and
parameterised names find their method's look, and series that would look alike get variants."""

import attrs

import eosdnn.solvers  # noqa: F401  (registers the built-ins)
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.upload import PLANNERS
from eosdnn.styles import KNOWN, base_name, styles_for


def test_every_built_in_solver_and_planner_has_its_own_colour_and_marker():
    names = SOLVERS.names() + PLANNERS.names()
    assert set(names) <= set(KNOWN)
    looks = [(KNOWN[n].color, KNOWN[n].marker) for n in names]
    assert len({color for color, _ in looks}) == len(names)  # no two share a colour
    assert len(set(looks)) == len(names)


def test_labels_and_parameterised_names_find_their_method():
    assert base_name("EosDNN (paper)") == "eosdnn-paper" and base_name("EosDNN+") == "eosdnn-plus"
    assert base_name("psoga (particles=20)") == "psoga" and base_name("LMU, rest requeue") == "lmu"
    assert base_name("EosDNN (paper) transfer") == "eosdnn-paper" and base_name("eosdnn") == "eosdnn-plus"
    assert base_name("my-plugin") is None


def test_series_that_would_look_alike_get_distinct_variants():
    styles = styles_for(["psoga (particles=20)", "psoga (particles=50)", "psoga (particles=80)", "ga", "mine",
                         "theirs"])
    looks = [(s.color, s.linestyle, s.marker) for s in styles.values()]
    assert len(set(looks)) == len(looks)
    assert styles["psoga (particles=20)"].color == KNOWN["psoga"].color  # the first keeps the method's own
    assert styles["ga"] == attrs.evolve(KNOWN["ga"], label="ga")
    assert styles["mine"].color != styles["theirs"].color
