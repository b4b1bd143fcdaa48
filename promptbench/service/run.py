"""Running an experiment, for the CLI and the window alike: check it, find keys, call, score, keep every result.

`prepare_run` finds every problem that can be known before a call (a missing variable, an unknown provider, a
missing key, a check that cannot run) and raises `ExperimentProblems` with all of them. `RunSession` then carries
the run out on the current event loop, recording each result in the history as it arrives.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptbench.core.cells import plan_cells
from promptbench.core.client import ChatClient, make_client
from promptbench.core.code.js_sandbox import JsSandbox
from promptbench.core.events import CellFinished, CellsRegraded, Observer, RunEvent, ignore
from promptbench.core.experiment import Check, Experiment, ProviderProfile
from promptbench.core.prices import PriceTable
from promptbench.core.redact import Redactor
from promptbench.core.result import CellKey, Result
from promptbench.core.run_state import RunState
from promptbench.core.runner import Runner, RunOutcome
from promptbench.core.templates import render_problems
from promptbench.core.validation import experiment_problems
from promptbench.formats.experiment_file import load_experiment
from promptbench.profiles import Profile, ProfileSettings, known_profiles, presets
from promptbench.secrets import KeyStore
from promptbench.service.key_hosts import KeyBinding, KeyDestination, approve, bind_keys
from promptbench.service.prices import load_prices
from promptbench.service.recorder import ResultRecorder, waiting_reporter
from promptbench.service.scoring import make_grader, make_scorer

if TYPE_CHECKING:
    from promptbench.storage import History


class ExperimentProblems(Exception):
    """Problems found before any call; each one plain sentence, cases and variants counted from 1."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class KeysNeedApproval(ExperimentProblems):
    """The experiment would send keys to addresses their owner has not chosen; nothing was called. The user may
    allow them once (prepare_run's `allow_key_hosts`) or always (`approve_key_hosts`)."""

    def __init__(self, destinations: list[KeyDestination]) -> None:
        self.destinations = destinations
        super().__init__([d.sentence() for d in destinations])


def approve_key_hosts(destinations: Iterable[KeyDestination], env: Mapping[str, str] | None = None) -> None:
    """Remember these addresses for these keys for good ("Always for this address")."""
    approve(ProfileSettings(env=env), list(destinations))


@dataclass(frozen=True)
class RunOptions:
    """Overrides of the experiment's own run settings, from the command line or the window."""

    concurrency: int | None = None
    repeats: int | None = None
    no_cache: bool = False
    stream: bool | None = None
    retries: int | None = None
    timeout: float | None = None
    # Python checks run code on this computer: None refuses an experiment that has any, True runs them,
    # False runs the rest and marks them skipped. Never taken from the file itself.
    python_checks: bool | None = None
    batch: bool = False  # send the calls to the provider's Batch API (promptbench.service.batch)

    def apply(self, experiment: Experiment) -> Experiment:
        changes: dict[str, Any] = {
            name: value
            for name in ("concurrency", "repeats", "stream", "retries", "timeout")
            if (value := getattr(self, name)) is not None
        }
        if self.no_cache:
            changes["cache"] = False
        return experiment.with_settings(**changes) if changes else experiment


@dataclass
class PreparedRun:
    """An experiment that passed every check, with the profiles and keys its variants use."""

    experiment: Experiment
    profiles: dict[str, ProviderProfile]
    keys: dict[str, str | None]
    prices: PriceTable
    source: str | None = None
    only: Collection[CellKey] | None = None
    redactor: Redactor = field(default_factory=Redactor)
    python_checks: bool = False
    batch: bool = False  # a batch run (RunOptions.batch)


def prepare_run(
    experiment: Experiment,
    options: RunOptions = RunOptions(),
    *,
    keys: KeyStore | None = None,
    env: Mapping[str, str] | None = None,
    prices: PriceTable | None = None,
    source: str | None = None,
    settings: ProfileSettings | None = None,
    allow_key_hosts: Iterable[str] = (),
) -> PreparedRun:
    """Check `experiment` and find its keys. A key the file would send to an address its owner did not choose
    stops the run (KeysNeedApproval) unless `allow_key_hosts` ("HOST[:PORT]") covers that address."""
    env = os.environ if env is None else env
    keys = keys or KeyStore(env=env)
    settings = settings if settings is not None else ProfileSettings(env=env)
    experiment = options.apply(experiment)
    profiles = known_profiles(experiment.providers, env=env, settings=settings)
    problems = experiment_problems(experiment, profiles.keys(), _check_problems(experiment))
    if not problems:  # every template parses and has its variables: now render each, as the run will
        problems = render_problems(experiment)
    used = {
        name: (profiles[name], _variants_words([f"'{v.name}'" for v in experiment.variants if v.provider == name]))
        for name in dict.fromkeys(v.provider for v in experiment.variants)
        if name in profiles
    }
    graders, grader_problems = _grader_profiles(experiment, profiles)
    problems += grader_problems
    if options.python_checks is None and (count := python_check_count(experiment)):
        problems.append(python_checks_refusal(experiment, count))
    used = {**graders, **used}
    bound = bind_keys(used, keys, KeyBinding(env, settings, allow_key_hosts))
    problems += bound.missing
    if problems:
        raise ExperimentProblems(problems)
    if bound.destinations:
        raise KeysNeedApproval(bound.destinations)
    found = bound.keys
    redactor = Redactor(key for key in found.values() if key)
    return PreparedRun(
        experiment,
        {n: profiles[n] for n in used},
        found,
        prices or load_prices(),
        source,
        None,
        redactor,
        python_checks=bool(options.python_checks),
        batch=options.batch,
    )


def _is_python(check: Check) -> bool:
    return check.type in ("python", "not-python")


def python_check_count(experiment: Experiment) -> int:
    """How many Python checks the experiment holds, counting a default check once per case it applies to."""
    defaults = sum(1 for check in experiment.default_checks if _is_python(check))
    own = sum(1 for case in experiment.cases for check in case.checks if _is_python(check))
    return own + defaults * len(experiment.cases)


def python_checks_refusal(experiment: Experiment, count: int) -> str:
    """The sentence that stops a run with Python checks nobody allowed: how many, where, and the way out."""
    places = ["the default checks"] if any(_is_python(c) for c in experiment.default_checks) else []
    cases = [str(i) for i, case in enumerate(experiment.cases, start=1) if any(_is_python(c) for c in case.checks)]
    if cases:
        shown = ", ".join(cases[:10]) + (f" and {len(cases) - 10} more" if len(cases) > 10 else "")
        places.append(f"test case{'s' if len(cases) > 1 else ''} {shown}")
    checks = "1 Python check" if count == 1 else f"{count} Python checks"
    return (
        f"This experiment contains {checks} (in {' and '.join(places)}). Python checks run code on this "
        "computer with your permissions, so they run only when you allow them: add --allow-python-checks."
    )


def _with_preset_names(profiles: Mapping[str, ProviderProfile]) -> dict[str, ProviderProfile]:
    """The profiles, a shipped preset used as it is marked with its own name, so the run's snapshot says so."""
    shipped = presets()
    return {
        name: replace(profile, preset=name)
        if isinstance(profile, Profile) and profile.preset is None and shipped.get(name) == profile
        else profile
        for name, profile in profiles.items()
    }


def _variants_words(names: list[str]) -> str:
    return f"Variant {names[0]}" if len(names) == 1 else f"Variants {', '.join(names[:-1])} and {names[-1]}"


def _grader_profiles(
    experiment: Experiment, profiles: Mapping[str, ProviderProfile]
) -> tuple[dict[str, tuple[ProviderProfile, str]], list[str]]:
    """The profiles model-graded checks name (any profile: declared in the file, saved, or a preset), each with
    where it is first named; and a sentence for each name no profile has."""
    if not (experiment.default_checks or any(case.checks for case in experiment.cases)):
        return {}, []
    from promptbench.core.checks.assert_set import all_checks  # the check modules load only for checks

    named: list[tuple[str, str]] = [
        (inner.provider, f"Check {i + 1} for all cases ({check.type})")
        for i, check in enumerate(experiment.default_checks)
        for inner in all_checks([check])  # an assert-set's checks name graders too
        if inner.provider
    ]
    for c, case in enumerate(experiment.cases):
        named += [
            (inner.provider, f"Case {c + 1}, check {k + 1} ({ch.type})")
            for k, ch in enumerate(case.checks)
            for inner in all_checks([ch])
            if inner.provider
        ]
    found: dict[str, tuple[ProviderProfile, str]] = {}
    problems = []
    for name, where in named:
        if name in found:
            continue
        if name not in profiles:
            problems.append(
                f"{where} names the grader '{name}', a provider profile neither this file nor this installation "
                "knows; declare it in the file's providers, add it in Settings > Providers, or name a preset."
            )
            found[name] = (ProviderProfile(name, "echo://"), where)  # reported once
            continue
        found[name] = (profiles[name], where)
    return {n: v for n, v in found.items() if n in profiles}, problems


def _has_select_best(experiment: Experiment) -> bool:
    if not (experiment.default_checks or any(case.checks for case in experiment.cases)):
        return False
    from promptbench.core.checks.select_best import has_select_best

    return has_select_best(experiment)


def _check_problems(experiment: Experiment):
    has_checks = experiment.default_checks or any(case.checks for case in experiment.cases)
    if not has_checks:
        return None
    from promptbench.core.checks import check_problems

    return check_problems


class RunSession:
    """One run of a prepared experiment, on the current event loop. `cancel()` from the loop's own thread."""

    def __init__(
        self,
        prepared: PreparedRun,
        *,
        observer: Observer = ignore,
        history: History | None = None,
        run_id: str | None = None,
        keep_results: bool = True,
    ) -> None:
        self.prepared = prepared
        # Without keep_results (and with a history) the outcome's results stay empty: each went to the history,
        # and outcome.tally holds the figures; the window keeps them (its grid shows every cell anyway).
        # select-best checks grade each case's answers side by side once the calls are done
        # (_compare_variants), so a run with one keeps its results.
        self._keep_results = keep_results or history is None or _has_select_best(prepared.experiment)
        self.history = history
        self.run_id = run_id
        self._observer = observer
        self._runner: Runner | None = None
        self._recorder: ResultRecorder | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._finished: list[Result] = []  # results of this turn of the loop, not yet handed to the recorder
        self._cancel_requested = False
        # A history write that failed (a full disk): the run stops, its results stay in the outcome.
        self.history_error: Exception | None = None
        self.unwritten: list[Result] = []  # without keep_results: results the failed history does not hold

    def cancel(self) -> None:
        self._cancel_requested = True
        if self._runner is not None:
            self._runner.cancel()

    async def run(self) -> RunOutcome:
        prepared = self.prepared
        experiment = prepared.experiment
        cells = plan_cells(experiment, prepared.only)
        clients = {
            name: make_client(profile, prepared.keys.get(name), redactor=prepared.redactor)
            for name, profile in prepared.profiles.items()
        }
        history = self.history
        loop = self._loop = asyncio.get_running_loop()
        self._recorder = None
        if history is not None:
            history.on_waiting = waiting_reporter(loop, self._observer)
            if self.run_id is None:
                self.run_id = history.start_run(
                    experiment,
                    source=prepared.source,
                    planned_cells=len(cells),
                    profiles=_with_preset_names(prepared.profiles),
                )
            self._recorder = ResultRecorder(
                history, self.run_id, on_error=lambda error: loop.call_soon_threadsafe(self.cancel)
            )
        # A resume compares its new answers with those the run already had (select-best).
        resumed = history is not None and self.run_id is not None and prepared.only is not None
        earlier = history.results(self.run_id) if resumed and history and self.run_id else []
        sandbox = JsSandbox()  # one JavaScript context for every check of the run; made on first use
        try:
            self._runner = Runner(
                experiment,
                cells,
                clients,
                observer=self._observe,
                cache=history.cache if history is not None else None,
                prices=prepared.prices,
                scorer=make_scorer(
                    experiment, clients, prepared.redactor, sandbox=sandbox, python_checks=prepared.python_checks
                ),
                keep_results=self._keep_results,
                pace=self._recorder.room if self._recorder is not None else None,
            )
            if self._cancel_requested:
                self._runner.cancel()
            outcome = await self._runner.run()
            if outcome.state != RunState.CANCELLED and not self._cancel_requested:
                await self._compare_variants(outcome, clients, earlier)
        finally:
            sandbox.close()
            for client in clients.values():
                await client.aclose()
            if self._recorder is not None:
                self._hand_over()
                self._recorder.close()
        if self._recorder is not None and self._recorder.error is not None:
            self.history_error = self._recorder.error
            outcome.state = RunState.FAILED
            if not self._keep_results:
                self.unwritten = self._recorder.unwritten
        if history is not None and self.run_id is not None and self.history_error is None:
            history.finish_run(self.run_id, outcome.state)
        return outcome

    async def _compare_variants(
        self, outcome: RunOutcome, clients: Mapping[str, ChatClient], earlier: Iterable[Result]
    ) -> None:
        """select-best checks, once every variant's answer is in: they compare the answers of each case, so their
        verdicts come after the run's calls; the cells they change are recorded again and told to the observer."""
        experiment = self.prepared.experiment
        if not _has_select_best(experiment):
            return
        from promptbench.core.checks.select_best import grade_across_variants

        pool = {r.key: r for r in earlier}
        pool.update((r.key, r) for r in outcome.results)
        grader = make_grader(experiment, clients, self.prepared.redactor)
        touched = {(r.key.case, r.key.repeat) for r in outcome.results}
        changed = await grade_across_variants(experiment, pool.values(), grader, touched)
        if not changed:
            return
        if self._recorder is not None:
            self._hand_over()  # the first verdicts are written before the ones that replace them
            self._recorder.add_many(changed)
        regraded = {r.key: r for r in changed}
        outcome.results = [regraded.get(r.key, r) for r in outcome.results]
        self._observer(CellsRegraded(tuple(changed)))

    def _observe(self, event: RunEvent) -> None:
        if isinstance(event, CellFinished) and self._recorder is not None and self._loop is not None:
            # Handed over at the end of this turn of the loop, with every other result it finished: one wake-up of
            # the writer thread per turn rather than per result. No await comes between, so nothing more is lost
            # to a crash than before: the results of the turn under way, as the calls in flight.
            if not self._finished:
                self._loop.call_soon(self._hand_over)
            self._finished.append(event.result)
        self._observer(event)

    def _hand_over(self) -> None:
        if self._finished and self._recorder is not None:
            self._recorder.add_many(self._finished)
            self._finished = []


def load_for_run(path: Path) -> Experiment:
    """An experiment file, or a promptfoo config (by its name or contents), as an Experiment."""
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        from promptbench.formats.promptfoo.config import load_promptfoo

        return load_promptfoo(Path(path))
    return load_experiment(Path(path))


def resume_plan(prepared: PreparedRun, done: Collection[CellKey]) -> PreparedRun:
    """The same run, limited to the cells not yet done."""
    every = {cell.key for cell in plan_cells(prepared.experiment)}
    return replace(prepared, only=every - set(done))


def failed_cells(results: Iterable[Result]) -> set[CellKey]:
    """The cells to re-run: those that ended in an error, and those whose checks failed."""
    return {result.key for result in results if result.error is not None or result.passed is False}


def rerun_plan(prepared: PreparedRun, results: Iterable[Result]) -> PreparedRun:
    """A new run of only the failed and errored cells, asking the provider again rather than the cache: the cached
    answer is the one that failed."""
    experiment = prepared.experiment.with_settings(cache=False)
    return replace(prepared, experiment=experiment, only=failed_cells(results))


@dataclass(frozen=True)
class RunAgain:
    """Run a past run's cells again: `resume` fills its missing and errored cells in the same run; otherwise its
    failed and errored cells are called again as a new run."""

    run_id: str
    resume: bool

    def plan(self, prepared: PreparedRun, history: History) -> PreparedRun:
        """The cells to call (it reads the history, and a resume takes the run over)."""
        if not self.resume:
            return rerun_plan(prepared, history.results(self.run_id))
        prepared = resume_plan(prepared, history.completed_keys(self.run_id))
        history.mark_resumed(self.run_id)
        return prepared
