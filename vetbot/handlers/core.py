"""``BotCore``: the one facade every edge (Slack, Teams, shell, tests) talks to.

An edge turns its payload into a ``Command`` or ``Action``, awaits ``handle_command`` /
``handle_action`` and renders the ``Response``; results arrive later through the
``Outbound`` it registered. A ``/vet`` is stored as a job and acknowledged at once (the
edge has seconds, a vetting may take longer); a worker task vets it, a dispatcher task
delivers cards from the outbox, and a re-check task re-runs provider checks that were
unavailable and updates their cards (``recheck.py``). All are tracked tasks, finished by
``stop`` and awaited by ``drain`` — never fire-and-forget. See ``worker.py`` for the
exactly-once argument.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from vetbot.handlers import decisions, roles
from vetbot.handlers.admin import AdminHandler
from vetbot.handlers.api import (
    Accepted,
    Action,
    ActionId,
    CardReply,
    Command,
    ErrorReply,
    Outbound,
    Platform,
    Reply,
    Response,
)
from vetbot.handlers.cards import load_card
from vetbot.handlers.commands import (
    HELP_TEXT,
    VET_FORM,
    ConfirmNotice,
    OpenForm,
    ShowHelp,
    ShowStatus,
    parse_vet,
)
from vetbot.handlers.intake import IntakeBatcher, Refused
from vetbot.handlers.recheck import run_one_recheck, watch_providers
from vetbot.handlers.vetting import VettingService
from vetbot.handlers.worker import BAND_RANK, Tuning, conversation_to_json, deliver_one, run_one_job
from vetbot.metrics import default_metrics
from vetbot.storage import admin_repository, chat_repository, recheck_repository, repository
from vetbot.storage.chat_tables import JobStatus

log = logging.getLogger("vetbot.core")

STORE_FAILED = "vetbot could not store the request right now; please try again in a minute."
NOTICE_REQUIRED = (
    "Before vetbot checks this candidate, confirm they received the privacy notice "
    "(docs/privacy-notice-template.md): /vet notice {job}"
)


class BotCore:
    def __init__(
        self,
        service: VettingService,
        *,
        escalate_band: str = "high",
        tuning: Tuning | None = None,
        workers: int = 1,
        admins: frozenset[str] | None = None,
    ) -> None:
        if escalate_band not in BAND_RANK:
            raise ValueError(f"escalate_band: one of {', '.join(BAND_RANK)}")
        self.service = service
        self.db = service.db
        self.escalate_band = escalate_band
        self.tuning = tuning or Tuning()
        self.workers = max(1, workers)
        self.admins = roles.admins_from_env() if admins is None else admins
        self.admin = AdminHandler(service, admins=self.admins)
        self.intake = IntakeBatcher(self.db, admins=self.admins)
        self._outbounds: dict[Platform, Outbound] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._job_wake = asyncio.Event()
        self._outbox_wake = asyncio.Event()
        self._progress = asyncio.Event()

    def register_outbound(self, platform: Platform, outbound: Outbound) -> None:
        """Deliveries for ``platform`` go through ``outbound``; unregistered platforms' rows wait
        for a process that can reach them."""
        self._outbounds[platform] = outbound
        self._outbox_wake.set()

    # --- inbound ----------------------------------------------------------------------------

    async def handle_command(self, command: Command) -> Response:
        """Answer help/status/form at once; store a vetting as a job and acknowledge it.

        ``/vet-admin`` goes to the admin handler; every other command passes the role guard
        first (a refusal is audited and answered, never silently dropped)."""
        if command.name == "vet-admin":
            return await self.admin.handle(command.actor.qualified, command.text)
        if command.name != "vet":
            return ErrorReply(f"unknown command /{command.name[:30]}; try /vet help")
        parsed = parse_vet(command)
        if isinstance(parsed, ErrorReply):
            return parsed
        if isinstance(parsed, ShowHelp):
            return Reply(HELP_TEXT)
        try:
            if isinstance(parsed, ShowStatus):
                return await self._status(command, parsed.ref)
            actor = command.actor
            if isinstance(parsed, OpenForm | ConfirmNotice):
                # the common case (allowed) reads only; a refusal is re-checked in a write
                # transaction so that it is audited
                async with self.db.read_session() as session:
                    settings = await repository.current_settings(session)
                    held_roles = await roles.effective_roles(
                        session, actor.qualified, settings=settings, admins=self.admins
                    )
                if not held_roles & roles.PERMISSIONS["vet"]:
                    denied = await roles.authorize_in(self.db, actor.qualified, "vet", admins=self.admins)
                    if denied:
                        return ErrorReply(denied.message)
                if isinstance(parsed, OpenForm):
                    return VET_FORM
                return await self._confirm_notice(command, parsed.job_id)
            # a vetting: the role guard and the notice policy are read in the intake batch's
            # own transaction (intake.py says why), so a burst costs one transaction
            outcome = await self.intake.enqueue(
                job_id=uuid.uuid4().hex,
                idempotency_key=command.idempotency_key,
                platform=command.conversation.platform.value,
                actor=actor.qualified,
                command={
                    "name": command.name,
                    "profile": parsed.parsed.raw,
                    "display_name": actor.display_name,
                },
                conversation=conversation_to_json(command.conversation),
            )
        except Exception as exc:  # noqa: BLE001 - the edge gets a clear answer, the log a type
            log.error("command not stored", extra={"error": type(exc).__name__})
            return ErrorReply(STORE_FAILED)
        if isinstance(outcome, Refused):
            return ErrorReply(outcome.message)
        job_id, created, held = outcome.job_id, outcome.created, outcome.held
        self._job_wake.set()
        log.info("job queued" if created else "job redelivered", extra={"job_id": job_id})
        if not created:
            return Accepted(job_id=job_id, text=f"Already received (job {job_id}); the risk card follows.")
        notes = "".join(f"\nNote: {w}." for w in parsed.parsed.warnings[:3])
        if held:
            return Reply(NOTICE_REQUIRED.format(job=job_id) + notes)
        return Accepted(job_id=job_id, text=Accepted(job_id).text + notes)

    async def _confirm_notice(self, command: Command, job_id: str) -> Response:
        """The requester confirms the privacy notice: recorded (who, when) and the job runs."""
        async with self.db.session() as session:
            released = await chat_repository.release_held_job(
                session, job_id=job_id, actor=command.actor.qualified
            )
            if released:
                await admin_repository.append_audit(
                    session, actor=command.actor.qualified, action="candidate_informed", case_id=job_id
                )
        if not released:
            return ErrorReply(f'no job "{job_id}" of yours is waiting for the privacy notice', field="id")
        self._job_wake.set()
        return Accepted(
            job_id=job_id, text="Recorded that the candidate was informed. " + Accepted(job_id).text
        )

    async def handle_action(self, action: Action) -> Response:
        """Escalate, Clear, Details, Claim, Confirm fake, Request more checks, Candidate informed."""
        try:
            async with self.db.session() as session:
                response, outbox = await decisions.apply_action(session, action, admins=self.admins)
        except Exception as exc:  # noqa: BLE001
            log.error("action failed", extra={"action": action.action.value, "error": type(exc).__name__})
            return ErrorReply("vetbot could not record that right now; please try again.")
        if outbox:
            self._outbox_wake.set()
        return response

    async def queue_stats(self) -> tuple[int, float]:
        """(jobs waiting or running, age of the oldest in seconds), for /metrics."""
        async with self.db.read_session() as session:
            return await chat_repository.queue_stats(session)

    async def _status(self, command: Command, ref: str) -> Response:
        async with self.db.session() as session:
            job = await chat_repository.get_job(session, job_id=ref)
            if job is not None and job.vetting_id is None:
                if job.status == JobStatus.FAILED:
                    return Reply(f"Job {job.id} failed; please vet again.")
                return Reply(f"Job {job.id} is {job.status}; the card follows when it is done.")
            vetting_id = job.vetting_id if job and job.vetting_id else ref
            card = await load_card(session, vetting_id=vetting_id)
            if card is None:
                return ErrorReply(f'no vetting or job with id "{ref}"', field="id")
            refusal = await decisions.authorize(
                session,
                command.actor,
                ActionId.DETAILS,
                requester=card.requester,
                admins=self.admins,
                case_id=card.vetting_id,
            )
            if refusal is None:
                await admin_repository.append_audit(
                    session, actor=command.actor.qualified, action="case.view", case_id=card.vetting_id
                )
        return ErrorReply(refusal) if refusal else CardReply(card)

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Spawn the worker(s) and the dispatcher; resume what a previous process left."""
        if self._tasks:
            return
        self._stopping.clear()
        await self.service.engine.warm_up()
        if self.db.is_sqlite:
            # SQLite is single-process: a job still "running" died with the last process.
            # (PostgreSQL replicas wait for the lease instead; fencing makes either safe.)
            async with self.db.session() as session:
                resumed = await chat_repository.requeue_running(session)
            if resumed:
                log.info("resuming unfinished jobs", extra={"count": resumed})
        for n in range(self.workers):
            self._tasks.append(asyncio.create_task(self._job_loop(), name=f"vetbot-worker-{n}"))
        self._tasks.append(asyncio.create_task(self._outbox_loop(), name="vetbot-outbox"))
        watch_providers(self.service.registry, default_metrics())
        self._tasks.append(asyncio.create_task(self._recheck_loop(), name="vetbot-recheck"))

    async def stop(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109 - a grace period, not a deadline
        """Graceful: the vetting and delivery in progress finish, then the loops end. Work not
        started stays in the database for the next start."""
        self._stopping.set()
        self._job_wake.set()
        self._outbox_wake.set()
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout)
        for task in late:
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self, timeout: float = 10) -> None:  # noqa: ASYNC109 - the brief's signature
        """Wait until no job is queued or running and no delivery is pending (TimeoutError if
        that takes longer than ``timeout``). Tests and the shell await this instead of sleeping."""
        if not self._tasks:
            raise RuntimeError("BotCore.drain: call start() first")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        platforms = [p.value for p in self._outbounds]
        while True:
            self._progress.clear()
            async with self.db.session() as session:
                due = await chat_repository.unfinished(session, platforms=platforms)
                due += await recheck_repository.unfinished_due(session)  # later rounds are not waited for
                if due == 0:
                    return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("BotCore.drain: work still pending")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), min(remaining, self.tuning.poll_interval))

    async def _job_loop(self) -> None:
        while not self._stopping.is_set():
            self._job_wake.clear()
            await self.intake.inbound.quiet()  # acks first: intake.Inbound says why
            try:
                worked = await run_one_job(self.db, self.service, self.tuning, self.escalate_band)
            except Exception as exc:  # noqa: BLE001 - e.g. database unreachable: wait, retry
                log.error("worker step failed", extra={"error": type(exc).__name__})
                worked = False
            if worked:
                self._outbox_wake.set()
                self._progress.set()
            else:
                await self._idle(self._job_wake)

    async def _outbox_loop(self) -> None:
        while not self._stopping.is_set():
            self._outbox_wake.clear()
            await self.intake.inbound.quiet()  # acks first: intake.Inbound says why
            try:
                worked = await deliver_one(self.db, dict(self._outbounds), self.tuning)
            except Exception as exc:  # noqa: BLE001
                log.error("dispatcher step failed", extra={"error": type(exc).__name__})
                worked = False
            if worked:
                self._progress.set()
            else:
                await self._idle(self._outbox_wake)

    async def _recheck_loop(self) -> None:
        while not self._stopping.is_set():
            await self.intake.inbound.quiet()  # a re-check is a vetting too: acks first
            try:
                worked = await run_one_recheck(self.db, self.service, self.tuning, self.escalate_band)
            except Exception as exc:  # noqa: BLE001 - e.g. database unreachable: wait, retry
                log.error("recheck step failed", extra={"error": type(exc).__name__})
                worked = False
            if worked:
                self._outbox_wake.set()
                self._progress.set()
            else:
                await self._idle(self._stopping)  # due rounds are found by polling

    async def _idle(self, wake: asyncio.Event) -> None:
        if self._stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), self.tuning.poll_interval)
