"""A template that fails only when rendered stops `promptbench run` before any call: a sentence, exit 2."""

from __future__ import annotations

from dataclasses import replace

from promptbench.core.experiment import Message
from tests.cli.conftest import experiment_for, promptbench, write_experiment


def test_a_runtime_template_error_is_a_sentence_with_its_place_and_nothing_is_called(tmp_path, server_process):
    experiment = experiment_for(server_process.base_url)
    broken = replace(experiment.variants[1], messages=(Message("user", "{{ text.words() }} {{ 1 / 0 }}"),))
    experiment = replace(experiment, variants=(experiment.variants[0], broken))
    path = write_experiment(tmp_path, experiment)
    completed = promptbench("run", str(path), "--db", str(tmp_path / "h.db"))
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr and "nothing was called" in completed.stderr
    assert "variants[1].messages[0].content with cases[0]: line 1:" in completed.stderr
    assert "has no attribute 'words'" in completed.stderr
    assert server_process.chat_count() == 0
