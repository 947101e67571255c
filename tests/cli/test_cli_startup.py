"""`streamproc --help` and a one-line `send` import only what they use (the speed goals: 0.5 s and 1 s).

Timings are noisy on a shared machine, so these tests check what is imported, not how long it takes.
"""

from __future__ import annotations

import subprocess
import sys

import click

from streamproc.cli.main import SUBCOMMANDS, cli

HEAVY_FOR_HELP = (
    "pydantic_settings",
    "confluent_kafka",
    "faust",
    "aiohttp",
    "bridges",
    "sklearn",
    "fastavro",
)
HEAVY_FOR_SEND = (
    "confluent_kafka.schema_registry",
    "tqdm",
    "faust",
    "aiokafka",
    "aiohttp",
    "sklearn",
    "socketio",
)


def imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_help_table_says_what_each_command_says_of_itself() -> None:
    context = click.Context(cli)
    for name, (_, summary) in SUBCOMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.get_short_help_str(limit=300) == summary, name


def test_help_lists_every_command_without_importing_any_library() -> None:
    modules = imported_after(
        "from streamproc.cli.main import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert not {m for m in modules if m.split(".")[0] in HEAVY_FOR_HELP}
    assert not {m for m in modules if m.startswith("streamproc.cli.") and m != "streamproc.cli.main"}


def test_send_of_standard_input_leaves_the_registry_client_and_progress_bar_unimported() -> None:
    modules = imported_after("import streamproc.cli.send, streamproc.cli.main, bridges.catalog")
    assert not {m for m in modules if m.startswith(HEAVY_FOR_SEND)}
