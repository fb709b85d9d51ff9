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

app = typer.Typer(
    name="vetbot",
    help="Vet remote IT candidates for persona inconsistencies. Decision support: a person decides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from vetbot.bot.cli import evaluate, intel, vet  # noqa: F401 - modules register their commands


def main(argv: list[str] | None = None) -> int:
    _register()
    try:
        app(args=argv, standalone_mode=False)
    except BadInput as exc:
        err_console().print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # typer/click exit paths
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_INTERNAL
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        import click

        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return EXIT_BAD_INPUT
        if isinstance(exc, click.exceptions.Abort):
            return 130
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
