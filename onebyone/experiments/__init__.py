"""The course's experiments: what each chapter measures, and what it concludes.

A chapter's module here (``u_net.py`` for ``07-u-net.ipynb``) marks its experiments
``@experiment("name")``: ``run(seed, device="cpu", epochs=None)`` returning
``{"measured": {name: float}, ...}``. The TOML file beside it declares the figures
its prose quotes, the claims it draws and its timings (README.md has the format).
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
ARITHMETIC = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop,
    ast.Name, ast.Load, ast.Constant, ast.Call, ast.Compare, ast.cmpop,
)  # fmt: skip


def experiment(name):
    """Mark ``run(seed, device, epochs)`` as the experiment ``name``: its results
    gain ``"experiment": name``; ONEBYONE_EPOCHS sets ``epochs`` where not given."""

    def mark(run):
        @functools.wraps(run)
        def marked(seed, device="cpu", epochs=None):
            if epochs is None and os.environ.get(EPOCHS_VARIABLE):
                epochs = int(os.environ[EPOCHS_VARIABLE])
            if epochs is not None and epochs < 1:
                raise ValueError(f"epochs must be at least 1; got {epochs}.")
            results = run(seed, device, epochs)
            if not isinstance(results.get("measured"), dict):
                raise TypeError(f"experiment {name!r} must return a 'measured' dict.")
            results["measured"] = {k: float(v) for k, v in results["measured"].items()}
            return {**results, "experiment": name}

        marked.experiment = name
        return marked

    return mark


def _parsed(expression):
    """The syntax tree of an expression, if it is arithmetic on names and numbers."""
    tree = ast.parse(expression, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, ARITHMETIC):
            raise ValueError(f"{expression!r}: only arithmetic on measured numbers")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") not in FUNCTIONS:
            raise ValueError(
                f"{expression!r}: only {', '.join(FUNCTIONS)} may be called"
            )
    return tree


def evaluate(expression, measured):
    """The value of an expression over the measured numbers, by name."""
    tree = _parsed(expression)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    missing = names - set(FUNCTIONS) - set(measured)
    if missing:
        raise KeyError(
            f"{expression!r} needs {sorted(missing)}, which were not measured"
        )
    code = compile(tree, "<expression>", "eval")
    return float(eval(code, {"__builtins__": {}, **FUNCTIONS}, dict(measured)))


@dataclass(frozen=True)
class Claim:
    """A conclusion drawn from measured numbers, and the sentences it supports."""

    name: str
    value: str  # an expression over the measured numbers
    says: str  # the verdict line's words, with {bound}
    sentences: tuple[str, ...] = ()
    at_least: float | None = None
    at_most: float | None = None
    verdict: bool = True  # False: the bound must hold in every run measured; no line
    where: dict = field(default_factory=dict)  # only the runs with these settings
    quoted: dict = field(default_factory=dict)  # {book page: its sentences}

    def __post_init__(self):
        _parsed(self.value)
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

    def applies_to(self, run):
        """Whether a run's settings (its kernel set, threads) are the claim's."""
        return all(run.get(key) == value for key, value in self.where.items())

    def evaluate(self, measured):
        return evaluate(self.value, measured)

    def holds(self, value):
        if self.at_least is not None:
            return value >= self.at_least
        return value <= self.at_most

    def statement(self):
        """The verdict's words with the bound: what every run must show."""
        return self.says.format(bound=f"{self.bound:g}")

    def verdict_line(self, value):
        return f"{self.statement()}: {self.holds(value)}"

    def margin(self, values):
        """How far the bound sits outside the values (negative: inside them)."""
        if self.at_least is not None:
            return min(values) - self.at_least
        return self.at_most - max(values)

    def spread_fields(self, values, seeds):
        """What a sentence may quote of the values over the runs (from ``seeds``
        seeds), and the bound."""
        fields = {
            "runs": len(values),
            "seeds": seeds,
            "min": min(values),
            "median": statistics.median(values),
            "max": max(values),
            "negative": sum(v < 0 for v in values),
            "positive": sum(v > 0 for v in values),
        }
        return fields | ({"bound": f"{self.bound:g}"} if self.has_bound else {})

    def sentence_texts(self, values, seeds):
        """The chapter's sentences, filled in with the values' spread."""
        return [s.format(**self.spread_fields(values, seeds)) for s in self.sentences]

    def quoted_texts(self, values, seeds):
        """{another page of the book: the sentences it quotes, filled in}."""
        fields = self.spread_fields(values, seeds)
        return {
            page: [s.format(**fields) for s in sentences]
            for page, sentences in self.quoted.items()
        }


@dataclass(frozen=True)
class Figure:
    """A measured number that the prose quotes: its words, and how it is written."""

    name: str
    words: str
    text: str  # an f-string over the measured numbers, e.g. "{100 * x:.1f}"

    def render(self, measured):
        parts = []
        for literal, expression, spec, _ in string.Formatter().parse(self.text):
            parts.append(literal)
            if expression is not None:
                parts.append(format(evaluate(expression, measured), spec or ""))
        return "".join(parts)


@dataclass(frozen=True)
class Experiment:
    """One experiment's declaration: its chapter's module, figures, claims and
    the names of its timings."""

    name: str
    module: str
    figures: tuple[Figure, ...] = ()
    claims: tuple[Claim, ...] = ()
    timings: tuple[str, ...] = ()

    def claim(self, name):
        for claim in self.claims:
            if claim.name == name:
                return claim
        raise KeyError(f"experiment {self.name!r} has no claim {name!r}")


def _load(path):
    for name, declared in tomllib.loads(path.read_text()).items():
        unknown = set(declared) - {"figures", "claims", "timings"}
        if unknown:
            raise ValueError(
                f"{path.name}: [{name}] has unknown keys {sorted(unknown)}"
            )
        yield Experiment(
            name,
            path.stem,
            figures=tuple(
                Figure(k, **v) for k, v in declared.get("figures", {}).items()
            ),
            claims=tuple(
                Claim(**{**fields, "sentences": tuple(fields.get("sentences", ()))})
                for fields in declared.get("claims", [])
            ),
            timings=tuple(declared.get("timings", ())),
        )


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


def chapter_experiments(module):
    """The experiments of a chapter's module, in the order of its TOML file."""
    return [spec for spec in declared().values() if spec.module == module]


def modules():
    """The chapters' experiment modules, by name."""
    return sorted({spec.module for spec in declared().values()})


def chapter_claims(module):
    return [claim for spec in chapter_experiments(module) for claim in spec.claims]


def _declaration_of(results):
    if "experiment" not in results:
        raise ValueError("these results come from no @experiment function")
    return declared()[results["experiment"]]


def report(results):
    """Print the numbers the prose quotes, and glue each under its name."""
    for figure in _declaration_of(results).figures:
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
