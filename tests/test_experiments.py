"""onebyone/experiments: experiments declared with their figures and claims."""

import ast
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stdout

import pytest

from conftest import NOTEBOOKS, ROOT
from onebyone import experiments
from onebyone.experiments import (
    EPOCHS_VARIABLE,
    Claim,
    Figure,
    chapter_claims,
    check,
    declared,
    evaluate,
    experiment,
    modules,
    report,
)
from onebyone.experiments.__main__ import claim_lines, functions


def test_every_declared_experiment_is_a_marked_function_of_its_module():
    for module in modules():
        marked = functions(module)
        assert list(marked) == [s.name for s in experiments.chapter_experiments(module)]
        for name, run in marked.items():
            assert run.experiment == name


def test_every_marked_function_is_declared():
    for module in modules():
        tree = ast.parse((ROOT / "onebyone/experiments" / f"{module}.py").read_text())
        marks = [
            node.decorator_list[0].args[0].value
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.decorator_list
        ]
        assert marks == [s.name for s in experiments.chapter_experiments(module)]


def test_claim_names_are_unique_and_their_words_show_the_bound():
    names = [c.name for module in modules() for c in chapter_claims(module)]
    assert len(names) == len(set(names))
    for module in modules():
        for claim in chapter_claims(module):
            if claim.has_bound:
                assert claim.statement() != claim.says  # {bound} filled in


def test_expressions_are_arithmetic_on_measured_numbers_only():
    assert evaluate("100 * abs(a - b)", {"a": 0.5, "b": 0.75}) == 25
    assert evaluate("max(a, b) / 2", {"a": 1, "b": 3}) == 1.5
    for bad in ("__import__('os')", "a.real", "[a]", "open('x')", "a if a else b"):
        with pytest.raises(ValueError):
            evaluate(bad, {"a": 1, "b": 2})
    with pytest.raises(KeyError, match="not measured"):
        evaluate("a + c", {"a": 1})


def test_a_verdict_line_shows_the_bound_and_whether_it_holds():
    above = Claim("x", "100 * acc", "accuracy ≥ {bound}%", at_least=96)
    below = Claim("y", "gap", "gap at most {bound} points", at_most=3.5)
    assert above.verdict_line(97.0) == "accuracy ≥ 96%: True"
    assert above.verdict_line(95.9) == "accuracy ≥ 96%: False"
    assert below.verdict_line(3.5) == "gap at most 3.5 points: True"
    assert below.verdict_line(3.6) == "gap at most 3.5 points: False"
    with pytest.raises(ValueError, match="bound"):
        Claim("z", "x", "no bound shown", at_least=1)
    with pytest.raises(ValueError, match="one bound"):
        Claim("z", "x", "{bound}", at_least=1, at_most=2)


def test_sentences_quote_the_spread_and_the_bound():
    claim = Claim(
        "lead",
        "x",
        "lead ≤ {bound}",
        sentences=("{runs} runs of {seeds} seeds, {min:.1f} to {max:.1f}, "
                   "{negative} below 0, median {median:.1f}; at most {bound}",),
        at_most=4,
    )  # fmt: skip
    [text] = claim.sentence_texts([-0.5, 1.0, 2.25], seeds=2)
    assert text == "3 runs of 2 seeds, -0.5 to 2.2, 1 below 0, median 1.0; at most 4"
    assert claim.margin([-0.5, 1.0, 2.25]) == pytest.approx(1.75)


def test_a_figure_is_written_from_its_expression():
    figure = Figure("iou", "mean IoU", "{100 * iou:.1f} ({iou - 0.5:+.0%})")
    assert figure.render({"iou": 0.9142}) == "91.4 (+41%)"


@experiment("small_cnn")
def _fake_run(seed, device, epochs):
    return {"measured": {"test_accuracy": 0.5 + 0.001 * (epochs or 30)}, "seed": seed}


def test_the_mark_names_the_results_and_reads_the_epochs_from_the_environment(
    monkeypatch,
):
    monkeypatch.delenv(EPOCHS_VARIABLE, raising=False)
    results = _fake_run(3)
    assert results["experiment"] == "small_cnn" and results["seed"] == 3
    assert results["measured"] == {"test_accuracy": pytest.approx(0.53)}
    monkeypatch.setenv(EPOCHS_VARIABLE, "1")
    assert _fake_run(3)["measured"]["test_accuracy"] == pytest.approx(0.501)
    assert _fake_run(3, epochs=2)["measured"]["test_accuracy"] == pytest.approx(0.502)
    with pytest.raises(ValueError, match="at least 1"):
        _fake_run(3, epochs=0)


def test_report_prints_and_check_prints_one_line_per_verdict():
    out = io.StringIO()
    with redirect_stdout(out):
        report(_fake_run(0, epochs=470))
        check(_fake_run(0, epochs=470))
        check(_fake_run(0, epochs=470) | {"measured": {"test_accuracy": 0.5}})
    spec = declared()["small_cnn"]
    [claim] = spec.claims
    assert out.getvalue().splitlines() == [
        "test accuracy: 97.0%",
        f"{claim.statement()}: True",
        f"{claim.statement()}: False",
    ]
    with pytest.raises(ValueError, match="no @experiment"):
        report({"measured": {}})


@pytest.mark.slow  # it trains or starts Python
def test_the_command_line_runs_a_chapter_and_prints_json():
    done = subprocess.run(
        [sys.executable, "-m", "onebyone.experiments", "channels_and_filters",
         "--seed", "1", "--device", "cpu", "--epochs", "1"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert set(result["measured"]) == {"test_accuracy"}
    assert 0 <= result["measured"]["test_accuracy"] <= 1
    assert result["device"] == "cpu" and result["threads_used"] >= 1


def test_each_module_is_named_like_its_chapters_notebook_and_measures_its_timings():
    stems = {notebook.stem[3:].replace("-", "_") for notebook in NOTEBOOKS}
    assert set(modules()) <= stems
    for spec in declared().values():
        assert len(set(spec.timings)) == len(spec.timings), spec.name


def test_check_prints_every_claims_value_beside_its_bound():
    """What `make gpu` prints: a verdict that fails is counted."""
    module = "u_net"
    claims = chapter_claims(module)
    names = {n for c in claims for n in re.findall(r"[a-z_0-9]+", c.value)}
    measured = dict.fromkeys(names - {"abs", "max", "min"}, 0.5)
    lines, failed = claim_lines(module, measured)
    assert len(lines) == len(claims)
    for claim, line in zip(claims, lines, strict=True):
        words = claim.statement() if claim.has_bound else claim.says
        assert line.startswith(f"  {words}: ")
    verdicts = [c for c in claims if c.is_verdict]
    assert failed == sum(not c.holds(c.evaluate(measured)) for c in verdicts) > 0
