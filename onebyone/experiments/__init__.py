"""The course's experiments: what each chapter measures, and what it concludes.

An experiment is a function of a chapter's module in this package (``u_net.py``
for chapter 7), marked ``@experiment("name")``::

    run(seed, device="cpu", epochs=None) -> {"measured": {name: float}, ...}

It trains or times something and returns a dict. Its entry ``"measured"`` holds
the numbers that depend on the machine (accuracies, seconds), by name; the other
entries (models, curves, predictions) are for the chapter's figures. ``epochs``
replaces every training budget of the experiment (a quick run: 1); where it is not
given, the environment variable ONEBYONE_EPOCHS may set it (the tests under Colab's
versions set 1, to run every cell quickly). The notebook shows the function where
the chapter teaches it and calls it.

Beside each module, a TOML file of the same name (format: README.md) declares what
is done with the numbers:

- ``figures``: the numbers the chapter's prose quotes, as text. ``report(results)``
  prints them and glues them into the prose (myst-nb), under their names.
- ``claims``: what the chapter concludes. Each has an expression over the measured
  numbers (``value``), a bound (``at_least`` or ``at_most``), the words of its
  verdict line (``says``, with ``{bound}``) and the sentences of the book it
  supports, whose numbers come from the measured spread (tools/spread.py checks
  them). ``check(results)`` prints one verdict line per claim:
  ``<says>: True``. A claim without a bound states the spread only: no verdict.

``python -m onebyone.experiments <module> --seed 3`` runs a chapter's experiments
and prints what they measured as JSON (tools/spread.py runs it over seeds, CPU
kernel sets and thread counts; tools/gpu.py on a GPU).
"""

import ast
import functools
import math
import os
import statistics
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from onebyone.runtime import glue

HERE = Path(__file__).parent
EPOCHS_VARIABLE = "ONEBYONE_EPOCHS"
# What the expressions of figures and claims may call, besides arithmetic.
FUNCTIONS = {"abs": abs, "max": max, "min": min, "round": round}
# The statistics of a claim's value over the measured runs that its sentences use.
SPREAD_FIELDS = ("runs", "min", "median", "max", "negative", "positive")


# Declaring an experiment


def experiment(name):
    """Mark ``run(seed, device, epochs)`` as the experiment ``name``.

    The results it returns gain the entry ``"experiment": name``, which ``report``
    and ``check`` read. Where ``epochs`` is not given, ONEBYONE_EPOCHS sets it.
    """

    def mark(run):
        @functools.wraps(run)
        def marked(seed, device="cpu", epochs=None):
            if epochs is None and os.environ.get(EPOCHS_VARIABLE):
                epochs = int(os.environ[EPOCHS_VARIABLE])
            if epochs is not None and epochs < 1:
                raise ValueError(f"epochs must be at least 1; got {epochs}.")
            results = run(seed, device, epochs)
            if not isinstance(results.get("measured"), dict):
                raise TypeError(
                    f"experiment {name!r} must return a dict with a 'measured' dict."
                )
            results["measured"] = {k: float(v) for k, v in results["measured"].items()}
            return {**results, "experiment": name}

        marked.experiment = name
        return marked

    return mark


# What the TOML files declare


def _checked_expression(text):
    """``text`` if it is arithmetic on names, numbers and FUNCTIONS; else an error."""
    allowed = (
        ast.Expression, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop,
        ast.Name, ast.Load, ast.Constant, ast.Call, ast.Compare, ast.cmpop,
    )  # fmt: skip
    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ValueError(f"{text!r}: only arithmetic on measured numbers")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") not in FUNCTIONS:
            raise ValueError(f"{text!r}: only {', '.join(FUNCTIONS)} may be called")
    return text


def evaluate(expression, measured):
    """The value of an expression over the measured numbers, by name."""
    tree = ast.parse(_checked_expression(expression), mode="eval")
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    missing = names - set(FUNCTIONS) - set(measured)
    if missing:
        raise KeyError(
            f"{expression!r} needs {sorted(missing)}, which were not measured"
        )
    code = compile(tree, "<expression>", "eval")
    return float(eval(code, {"__builtins__": {}, **FUNCTIONS}, dict(measured)))


def format_bound(bound):
    """A bound as the verdict line shows it: 0.86, 3.6, 96."""
    return f"{bound:g}"


@dataclass(frozen=True)
class Claim:
    """A conclusion drawn from measured numbers, and the sentences it supports."""

    name: str
    value: str
    says: str
    sentences: tuple[str, ...] = ()
    at_least: float | None = None
    at_most: float | None = None
    verdict: bool = True  # False: the bound holds in every run measured; no line
    where: dict = field(default_factory=dict)  # only runs with these settings

    def applies_to(self, run):
        """Whether a run's settings (its kernel set, threads) are the claim's."""
        return all(run.get(key) == value for key, value in self.where.items())

    def __post_init__(self):
        _checked_expression(self.value)
        if self.at_least is not None and self.at_most is not None:
            raise ValueError(f"claim {self.name!r}: one bound, at_least or at_most")
        if self.has_bound and "{bound}" not in self.says:
            raise ValueError(f"claim {self.name!r}: its words must show {{bound}}")

    @property
    def has_bound(self):
        return self.at_least is not None or self.at_most is not None

    @property
    def is_verdict(self):
        """A line that every run prints and the tests compare."""
        return self.has_bound and self.verdict

    @property
    def bound(self):
        return self.at_least if self.at_least is not None else self.at_most

    def evaluate(self, measured):
        return evaluate(self.value, measured)

    def holds(self, value):
        if self.at_least is not None:
            return value >= self.at_least
        return value <= self.at_most

    def statement(self):
        """The verdict's words with the bound: what every run must show."""
        return self.says.format(bound=format_bound(self.bound))

    def verdict_line(self, value):
        """The line ``check`` prints: ``<statement>: True`` (or False)."""
        return f"{self.statement()}: {self.holds(value)}"

    def margin(self, values):
        """How far the bound sits outside the values (negative: inside them)."""
        if self.at_least is not None:
            return min(values) - self.at_least
        return self.at_most - max(values)

    def sentence_texts(self, values):
        """The claim's sentences, filled in with the spread of its values (and the
        bound, as ``{bound}``)."""
        fields = spread_of(values)
        if self.has_bound:
            fields["bound"] = format_bound(self.bound)
        return [sentence.format(**fields) for sentence in self.sentences]


def spread_of(values):
    """What a sentence may quote of a claim's values over the runs."""
    return {
        "runs": len(values),
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "negative": sum(v < 0 for v in values),
        "positive": sum(v > 0 for v in values),
    }


@dataclass(frozen=True)
class Figure:
    """A measured number that the prose quotes: its words, and how it is written."""

    name: str
    words: str
    text: str  # an f-string over the measured numbers, e.g. "{100 * x:.1f}"

    def render(self, measured):
        """The text: each ``{expression:spec}`` evaluated and formatted."""
        parts = []
        for literal, expression, spec, _ in string.Formatter().parse(self.text):
            parts.append(literal)
            if expression is not None:
                parts.append(format(evaluate(expression, measured), spec or ""))
        return "".join(parts)


@dataclass(frozen=True)
class Experiment:
    """One experiment's declaration: its module, figures and claims."""

    name: str
    module: str  # the chapter's module in this package, e.g. "u_net"
    notebook: str  # the chapter's notebook, e.g. "07-u-net"
    figures: tuple[Figure, ...]
    claims: tuple[Claim, ...]

    def claim(self, name):
        for claim in self.claims:
            if claim.name == name:
                return claim
        raise KeyError(f"experiment {self.name!r} has no claim {name!r}")


def _load(path):
    data = tomllib.loads(path.read_text())
    notebook = data.pop("notebook")
    experiments = []
    for name, declared in data.items():
        unknown = set(declared) - {"figures", "claims"}
        if unknown:
            raise ValueError(
                f"{path.name}: [{name}] has unknown keys {sorted(unknown)}"
            )
        figures = tuple(
            Figure(figure, **fields)
            for figure, fields in declared.get("figures", {}).items()
        )
        claims = tuple(
            Claim(**{**fields, "sentences": tuple(fields.get("sentences", ()))})
            for fields in declared.get("claims", [])
        )
        experiments.append(Experiment(name, path.stem, notebook, figures, claims))
    return experiments


@functools.cache
def declared():
    """Every experiment the TOML files declare, by name."""
    found = {}
    for path in sorted(HERE.glob("*.toml")):
        for spec in _load(path):
            if spec.name in found:
                raise ValueError(f"two experiments are named {spec.name!r}")
            found[spec.name] = spec
    return found


def declaration(name):
    try:
        return declared()[name]
    except KeyError:
        raise KeyError(f"no experiment {name!r} is declared in {HERE}/*.toml") from None


def chapter_experiments(module):
    """The experiments a chapter's module declares, in the order of its TOML file."""
    return [spec for spec in declared().values() if spec.module == module]


def modules():
    """The chapters' experiment modules, by name, in the order of their notebooks."""
    notebooks = {spec.module: spec.notebook for spec in declared().values()}
    return sorted(notebooks, key=notebooks.get)


def chapter_claims(module):
    """Every claim of a chapter's experiments, in the order of its TOML file."""
    return [c for spec in chapter_experiments(module) for c in spec.claims]


# Reporting and checking in a notebook


def _declaration_of(results):
    if "experiment" not in results:
        raise ValueError("these results come from no @experiment function")
    return declaration(results["experiment"])


def report(results):
    """Print the numbers the prose quotes, and glue each under its name."""
    spec = _declaration_of(results)
    for figure in spec.figures:
        text = figure.render(results["measured"])
        glue(figure.name, text, display=False)
        print(f"{figure.words}: {text}")


def check(results, *names):
    """Print a verdict line per claim (those named, or every verdict)."""
    spec = _declaration_of(results)
    claims = [spec.claim(n) for n in names] or [c for c in spec.claims if c.is_verdict]
    for claim in claims:
        if not claim.is_verdict:
            raise ValueError(f"claim {claim.name!r} prints no verdict")
        value = claim.evaluate(results["measured"])
        if math.isnan(value):
            raise ValueError(f"claim {claim.name!r}: its value is not a number")
        print(claim.verdict_line(value))
