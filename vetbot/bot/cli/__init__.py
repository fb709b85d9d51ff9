"""The ``vetbot`` command line. Exit codes: 0 done, 2 bad input, 1 internal error.

Each command module registers itself on ``app``; ``main`` turns every failure into one
clear line on stderr and the documented exit code — never a traceback (set
``VETBOT_DEBUG=1`` to see one), because tracebacks can carry candidate data.
"""

from __future__ import annotations

import os
import sys

import typer

from vetbot.bot.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, BadInput, err_console
from vetbot.logs import configure_logging

app = typer.Typer(
    name="vetbot",
    help="Vet remote IT candidates for persona inconsistencies. Decision support: a person decides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from vetbot.bot.cli import (  # noqa: F401 - modules register their commands
        admin,
        doctor,
        evaluate,
        graph,
        intel,
        serve,
        shell,
        teams_package,
        vet,
        watchlist,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of raising (tests call this in-process)."""
    configure_logging()
    _register()
    try:
        app(args=argv, prog_name="vetbot")  # standalone: usage errors print and exit 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_BAD_INPUT)
    except BadInput as exc:
        err_console().print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("VETBOT_DEBUG") == "1":
            raise
        err_console().print(
            f"internal error ({type(exc).__name__}); run with VETBOT_DEBUG=1 for details",
            markup=False,
            highlight=False,
        )
        return EXIT_INTERNAL
    return 0


def entrypoint() -> None:
    sys.exit(main())
