"""The one error type users see: a single line naming the offending field."""


class EosdnnError(ValueError):
    """Bad input (scenario, model, placement, option). The CLI prints it as one line and exits 2."""
