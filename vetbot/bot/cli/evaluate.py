"""``vetbot eval FILE.jsonl``: detection quality on a labelled file, against a fresh database."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vetbot.bot.cli import app
from vetbot.bot.cli.common import BadInput, err_console, open_service, out_console, read_records
from vetbot.handlers.evaluation import Metrics, Scored, compute
from vetbot.handlers.vetting import Vetted
from vetbot.models.parsing import ProfileError, parse_profile


@app.command("eval")
def evaluate(
    file: Annotated[str, typer.Argument(help="Labelled JSONL (profiles with `label` and `cluster`)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON")] = False,
) -> None:
    """Vet a labelled file in order against a fresh temporary database and print its metrics."""
    records = read_records(file)
    labelled: list[tuple[Any, str, str | None]] = []
    for record in records:
        if record.error or record.data is None:
            raise BadInput(f"line {record.line}: {record.error}")
        label = record.data.get("label")
        if label not in ("fake", "genuine"):
            raise BadInput(f"line {record.line}: label: must be 'fake' or 'genuine', got {label!r}")
        try:
            parsed = parse_profile(record.data)
        except ProfileError as exc:
            raise BadInput(f"line {record.line}: {exc}") from None
        cluster = record.data.get("cluster")
        labelled.append((parsed, label, str(cluster) if cluster is not None else None))

    async def run(url: str) -> list[Scored]:
        scored: list[Scored] = []
        async with open_service(url) as service:
            index = 0
            async for item in service.vet_many([p for p, _, _ in labelled], requester="eval"):
                assert isinstance(item, Vetted)
                _, label, cluster = labelled[index]
                index += 1
                result = item.result
                scored.append(
                    Scored(
                        label,
                        cluster,
                        result.score,
                        result.band.value,
                        frozenset(f.check for f in result.findings),
                    )
                )
        return scored

    with tempfile.TemporaryDirectory(prefix="vetbot-eval-") as tmp:
        rows = asyncio.run(run(f"sqlite:///{Path(tmp) / 'eval.db'}"))
    metrics = compute(rows)
    if as_json:
        sys.stdout.write(json.dumps(metrics.to_json(), indent=2) + "\n")
    else:
        print_metrics(metrics)


def print_metrics(m: Metrics) -> None:
    console = out_console()
    summary = Table(title=f"vetbot eval: {m.total} profiles ({m.fakes} fake, {m.genuine} genuine)")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    for name, value in (
        ("recall at medium-or-high", m.recall_medium_or_high),
        ("false-positive rate at medium-or-high", m.fpr_medium_or_high),
        ("recall at high", m.recall_high),
        ("false-positive rate at high", m.fpr_high),
        ("precision at high", m.precision_high),
        ("ROC AUC", m.roc_auc),
        (f"cluster detection ({m.clusters_detected}/{m.clusters} clusters)", m.cluster_detection),
    ):
        summary.add_row(name, f"{value:.3f}")
    console.print(summary)
    confusion = Table(title="confusion (label × band)")
    confusion.add_column("label")
    for band in ("low", "medium", "high"):
        confusion.add_column(band, justify="right")
    for label, bands in m.confusion.items():
        confusion.add_row(label, *(str(bands[b]) for b in ("low", "medium", "high")))
    console.print(confusion)
    hits = Table(title="profiles with a finding, per check")
    hits.add_column("check")
    hits.add_column("fakes", justify="right")
    hits.add_column("genuine", justify="right")
    for check, counts in m.check_hits.items():
        hits.add_row(check, str(counts["fake"]), str(counts["genuine"]))
    console.print(hits)
    err_console().print("Figures are on this file only; a held-out set judges generalisation.", style="dim")
