"""The one error type users see: a single line naming the offending field."""


class EosdnnError(ValueError):
    """Bad input (scenario, model, placement, option). The CLI prints it as one line and exits 2."""


class EosdnnWarning(UserWarning):
    """Something the user should change but that still works (a renamed solver); the CLI prints it as
    one `warning:` line on standard error."""


def show_warnings_as_lines() -> None:
    """Print every `EosdnnWarning` as one `warning: ...` line on standard error, once per message
    (the command line calls this; its worker processes ignore these warnings instead)."""
    import sys
    import warnings

    shown = warnings.showwarning
    if getattr(shown, "eosdnn_lines", False):  # already installed (main called again in one process)
        return

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, EosdnnWarning):
            print(f"warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    show.eosdnn_lines = True  # type: ignore[attr-defined]
    warnings.showwarning = show
    warnings.filterwarnings("once", category=EosdnnWarning)
