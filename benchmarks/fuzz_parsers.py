"""Fuzz the two parsers that read untrusted text: the profile parser and the ``/vet`` parser.

Contract under test (a *crash* is any breach):
  profile — ``parse_json_text`` + ``parse_profile`` return a profile or raise ``ProfileError``;
            an accepted profile serialises back to JSON (storage and cards need that).
  command — ``handlers.commands.parse_vet`` returns a value for every input and never raises.

Engines: hypothesis (structured JSON-ish values, deep nesting, huge strings, invalid UTF-8,
field=value commands, forms) and, when installed, atheris (coverage-guided bytes).

Usage: python benchmarks/fuzz_parsers.py [--target profile|command|all] [--minutes 10]
                                         [--engine hypothesis|atheris] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from vetbot.handlers.api import Actor, Command, Conversation, Platform
from vetbot.models.parsing import ProfileError, parse_json_text, parse_profile
from vetbot.models.profile import Profile

ROOT = Path(__file__).resolve().parents[1]

# --- targets ---------------------------------------------------------------------------------


def profile_target(data: bytes | str | Any, *, decoded: bool = False) -> None:
    """Raise only on a contract breach; ``ProfileError`` is the documented refusal."""
    try:
        value = data if decoded else parse_json_text(data)
        parsed = parse_profile(value)
    except ProfileError:
        return
    parsed.profile.model_dump_json()


def command_target(text: str = "", form: dict[str, Any] | None = None) -> None:
    from vetbot.handlers.commands import parse_vet

    actor = Actor(Platform.SHELL, "fuzz")
    parse_vet(Command(actor, Conversation(Platform.SHELL), "vet", text, "fuzz-key", form=form))


# --- strategies ------------------------------------------------------------------------------

FIELDS = list(Profile.model_fields)
NESTED = ["location.country", "location.city", "payment.method", "payment.account_holder",
          "interview.camera_off", "home_address.city", "shipping_address.country", "role.title"]  # fmt: skip
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=60) | st.sampled_from(["", "2024-13", "2024-01", "+48601234567", "jan@x.pl",
                                             "10.0.0.1", "999.1.1.1", "PL", "Europe/Warsaw"])
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=40,
)
profile_like = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), json_values, max_size=12)
deep = st.builds(
    lambda n, opener: opener[0] * n + opener[1] * n,
    st.integers(1, 200_000), st.sampled_from([("[", "]"), ('{"a":', "}")]),
)  # fmt: skip
huge = st.builds(lambda n, key: json.dumps({"name": "x", key: "é" * n}), st.integers(0, 1_500_000),
                 st.sampled_from(["name", "resume_text", "email", "timezone"]))  # fmt: skip
bad_bytes = st.binary(max_size=400) | st.builds(
    lambda doc, at, junk: doc[:at] + junk + doc[at:],
    st.builds(lambda d: json.dumps(d).encode(), profile_like), st.integers(0, 400),
    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xf4\x90\x80\x80", b"\xe2\x80"]),
)  # fmt: skip
profile_inputs = (
    st.builds(lambda d: json.dumps(d, ensure_ascii=False), profile_like)
    | st.builds(json.dumps, json_values) | deep | huge | bad_bytes | st.text(max_size=300)
)  # fmt: skip

_quoted = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\"'“”„«»\\= ,{}[]`"), max_size=40)
token = st.builds(lambda k, v, q: f"{k}={q}{v}{q}", st.sampled_from(FIELDS + NESTED) | st.text(max_size=8),
                  _quoted, st.sampled_from(["", '"', "'", "“"]))  # fmt: skip
command_texts = (
    st.lists(token, max_size=10).map(" ".join)
    | st.builds(lambda d: json.dumps(d), profile_like)
    | st.builds(lambda d: f"```json\n{json.dumps(d)}\n```", profile_like)
    | st.builds(lambda s: f"status {s}", st.text(max_size=80)) | st.text(max_size=400)
    | st.sampled_from(["", "help", "HELP me", "[1,2]", "{", "status", "x" * 50_000]) | deep
)  # fmt: skip
forms = st.dictionaries(st.sampled_from(FIELDS + NESTED) | st.text(max_size=8), json_values, max_size=10)
command_inputs = st.tuples(command_texts, st.none() | forms)

# --- hypothesis engine -----------------------------------------------------------------------


@dataclass
class Tally:
    target: str
    engine: str = "hypothesis"
    examples: int = 0
    crashes: int = 0
    seconds: float = 0.0
    samples: list[dict[str, str]] = field(default_factory=list)
    stats: str = ""  # atheris: libFuzzer's final line (coverage, features, corpus size)

    def crash(self, exc: BaseException, example: Any) -> None:
        self.crashes += 1
        if len(self.samples) < 10:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            self.samples.append({"error": type(exc).__name__, "where": where, "input": repr(example)[:300]})


def run_one(target: str, example: Any) -> None:
    if target == "profile":
        profile_target(example)
    else:
        command_target(example[0], example[1])


def hypothesis_fuzz(target: str, seconds: float, chunk: int = 500) -> Tally:
    tally, deadline = Tally(target), time.monotonic() + seconds
    strategy = profile_inputs if target == "profile" else command_inputs

    @settings(max_examples=chunk, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def body(example: Any) -> None:
        tally.examples += 1
        try:
            run_one(target, example)
        except Exception as exc:  # noqa: BLE001 - every breach is recorded, then we go on
            tally.crash(exc, example)

    started = time.monotonic()
    while time.monotonic() < deadline:
        body()
    tally.seconds = round(time.monotonic() - started, 1)
    return tally


# --- atheris engine (a subprocess: libFuzzer exits the process when done) --------------------


def atheris_main(target: str, seconds: int) -> None:
    import atheris

    import vetbot.handlers.commands  # noqa: F401 - loaded before instrumenting

    atheris.instrument_all()  # vetbot was imported at the top: instrument what is loaded

    def one_input(data: bytes) -> None:
        if target == "profile":
            profile_target(data)
            return
        fdp = atheris.FuzzedDataProvider(data)
        text = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 4096))
        form = None
        if fdp.ConsumeBool():
            try:
                decoded = json.loads(fdp.ConsumeUnicodeNoSurrogates(2048))
            except ValueError:
                decoded = {}
            form = decoded if isinstance(decoded, dict) else {"name": decoded}
        command_target(text, form)

    corpus = Path(f"/tmp/vetbot-fuzz-corpus-{target}")
    corpus.mkdir(exist_ok=True)
    for example in (ROOT / "examples").glob("*.json"):
        (corpus / example.name).write_bytes(example.read_bytes())
    argv = [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-rss_limit_mb=4096", "-timeout=30"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def atheris_fuzz(target: str, seconds: int) -> Tally:
    args = [sys.executable, __file__, "--atheris-child", target, "--minutes", str(seconds / 60)]
    proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=seconds + 300)
    tally = Tally(target, engine="atheris", seconds=float(seconds))
    for line in proc.stderr.splitlines():
        if line.startswith("Done ") and " runs in " in line:
            tally.examples = int(line.split()[1])
        elif " DONE " in line or (line.startswith("#") and " cov: " in line):
            tally.stats = line.strip()
    if proc.returncode != 0:
        tally.crashes = 1
        tally.samples.append({"error": f"exit {proc.returncode}", "where": "", "input": proc.stderr[-1500:]})
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", choices=["profile", "command", "all"], default="all")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--out", type=Path, help="write the tallies as JSON here too")
    parser.add_argument("--atheris-child", choices=["profile", "command"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    if args.atheris_child:
        atheris_main(args.atheris_child, int(seconds))
        return 0
    targets = ["profile", "command"] if args.target == "all" else [args.target]
    fuzz: Callable[[str, Any], Tally] = hypothesis_fuzz if args.engine == "hypothesis" else atheris_fuzz
    tallies = [fuzz(t, seconds if args.engine == "hypothesis" else int(seconds)) for t in targets]
    report = [t.__dict__ for t in tallies]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 1 if any(t.crashes for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
