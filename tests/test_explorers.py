"""onebyone/explorers.py: the explorers' JavaScript arithmetic against PyTorch's,
and their Python side.

The modules run in Node.js here, as each widget ships them (the shared module
written in); tests/js/ unit-tests the same functions in Node's own test runner, and
the browser test drives the modules on the built pages.
"""

import itertools
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from onebyone.conv import conv_output_size
from onebyone.explorers import (
    ChannelMixer,
    ConvArithmeticExplorer,
    TransposedConvOverlapExplorer,
    front_end_module,
)

CONV_NAMES = ("size", "kernel_size", "padding", "stride", "dilation")
EXPLORER_MODULES = ("conv_arithmetic", "channel_mixer", "transposed_overlap")


@pytest.fixture(scope="module")
def js(tmp_path_factory):
    """Call exported functions of the explorers' module: js(name, [args, ...])."""
    node = shutil.which("node")
    if node is None:
        message = "Node.js is not installed (building the book needs it too)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("explorers")
    imports = ""
    for name in EXPLORER_MODULES:
        module = folder / f"{name}.mjs"
        module.write_text(front_end_module(name))
        imports += f"import * as {name} from {json.dumps(module.as_uri())};\n"

    def call(name, calls):
        arguments = folder / "arguments.json"
        arguments.write_text(json.dumps(calls))
        script = (
            f"{imports}const explorers = {{{', '.join(EXPLORER_MODULES)}}};\n"
            "import { readFileSync } from 'node:fs';\n"
            "const calls = JSON.parse(readFileSync(process.argv[1], 'utf8'));\n"
            "const [fn] = Object.values(explorers).flatMap((m) =>\n"
            f"  m.{name} ? [m.{name}] : []);\n"
            "const results = calls.map((args) => fn(...args));\n"
            "console.log(JSON.stringify(results, (key, value) =>\n"
            "  ArrayBuffer.isView(value) ? Array.from(value) : value));\n"
        )
        result = subprocess.run(
            [node, "--input-type=module", "-e", script, str(arguments)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    return call


def python_output_size(setting):
    """conv_output_size, or None where it says the setting is impossible."""
    try:
        size, kernel_size, padding, stride, dilation = setting
        return conv_output_size(
            size, kernel_size, stride=stride, padding=padding, dilation=dilation
        )
    except ValueError:
        return None


def test_output_size_agrees_with_conv_output_size_over_a_grid(js):
    grid = list(
        itertools.product(range(1, 13), range(1, 8), range(4), range(1, 5), range(1, 4))
    )
    settings = [dict(zip(CONV_NAMES, setting, strict=True)) for setting in grid]
    problems = js("convProblem", [[s] for s in settings])
    sizes = js("outputSize", [[s] for s in settings])
    impossible = 0
    for setting, problem, size in zip(grid, problems, sizes, strict=True):
        expected = python_output_size(setting)
        if expected is None:
            impossible += 1
            assert problem and "No window fits" in problem, setting
        else:
            assert problem is None and size == expected, setting
    assert impossible > 100  # the grid reaches the impossible corner too


@pytest.mark.parametrize(
    "setting, words",
    [
        ((7, 3, 0, 0, 1), "stride must be at least 1"),
        ((7, 3, -1, 1, 1), "padding p must be at least 0"),
        ((0, 1, 0, 1, 1), "input size H must be at least 1"),
        ((7, 2.5, 0, 1, 1), "kernel size k must be a whole number"),
        ((7, None, 0, 1, 1), "kernel size k must be a whole number"),
        ((3, 5, 0, 1, 1), "No window fits: the kernel spans d(k − 1) + 1 = 5 pixels"),
        ((40, 3, 0, 1, 1), "at most 32 here"),
    ],
)
def test_impossible_settings_are_explained_in_words(js, setting, words):
    [problem] = js("convProblem", [[dict(zip(CONV_NAMES, setting, strict=True))]])
    assert words in problem


def test_python_rejects_the_same_settings_the_explorer_explains():
    for setting in ((7, 3, 0, 0, 1), (7, 3, -1, 1, 1), (3, 5, 0, 1, 1)):
        assert python_output_size(setting) is None


def test_matrix_readout_tells_diagonal_from_mixing(js):
    identity = [1, 0, 0, 0, 1, 0, 0, 0, 1]
    gains = [1.2, 0, 0, 0, 1, 0, 0, 0, 0.75]
    swap = [0, 0, 1, 0, 1, 0, 1, 0, 0]
    one_entry = [1, 0.5, 0, 0, 1, 0, 0, 0, 1]
    full = [0.393, 0.1 + 0.2, 0.189, 0.349, 0.686, 0.168, 0.272, 0.534, 0.131]
    calls = [[identity], [gains], [swap], [one_entry], [full]]
    results = js("describeMatrix", calls)
    assert [r["diagonal"] for r in results] == [True, True, False, False, False]
    assert "R × 1.2, G × 1, B × 0.75" in results[1]["text"]
    assert "2 of its 6 off-diagonal entries are not 0" in results[2]["text"]
    assert "1 of its 6 off-diagonal entries is not 0" in results[3]["text"]
    assert "R out takes 0.5 × G in" in results[3]["text"]
    assert "all 6 of its off-diagonal entries are not 0" in results[4]["text"]
    assert "R out takes 0.3 × G in" in results[4]["text"]  # not 0.30000000000000004
    assert results[4]["text"].count("takes") == 3  # the first three, then …


def test_mixing_in_the_browser_matches_numpy(js):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (50, 3))
    matrix = rng.uniform(-1, 1.5, (3, 3))
    [rgba] = js("mixPixels", [[rgb.flatten().tolist(), matrix.flatten().tolist()]])
    rgba = np.array(rgba).reshape(-1, 4)
    expected = np.floor(255 * np.clip(rgb / 255 @ matrix.T, 0, 1) + 0.5)
    # Sums taken in another order may land on the other side of a .5: rarely.
    assert (rgba[:, :3] != expected).mean() < 0.02
    assert (rgba[:, 3] == 255).all()


def torch_overlap(size, kernel_size, stride):
    """Copies per output pixel: ones through a transposed conv with ones."""
    ones = torch.ones(1, 1, size, size)
    kernel = torch.ones(1, 1, kernel_size, kernel_size)
    return F.conv_transpose2d(ones, kernel, stride=stride)[0, 0]


OVERLAP_GRID = list(itertools.product(range(1, 7), range(1, 9), range(1, 6)))


def test_overlap_counts_agree_with_conv_transpose2d(js):
    settings = [
        [{"size": n, "kernel_size": k, "stride": s}] for n, k, s in OVERLAP_GRID
    ]
    counts = js("overlapCounts", settings)
    inner = js("innerCounts", settings)
    for (n, k, s), along_axis, inside in zip(OVERLAP_GRID, counts, inner, strict=True):
        expected = torch_overlap(n, k, s)
        assert torch.equal(torch.outer(*[torch.tensor(along_axis)] * 2), expected)
        # away from the borders: every copy that could reach a pixel does
        centre = expected[k - 1 : (n - 1) * s + 1, k - 1 : (n - 1) * s + 1]
        if len(centre) < s:  # shorter than one period: no pattern to report
            assert inside == [], (n, k, s)
            continue
        assert inside == sorted(int(c) for c in centre.unique()), (n, k, s)
        # even inside exactly when the kernel is a multiple of the stride
        assert (len(inside) == 1) == (k % s == 0), (n, k, s)
        if k % s == 0:
            assert inside == [(k // s) ** 2]


def test_conv_explorer_holds_its_settings():
    explorer = ConvArithmeticExplorer(size=9, kernel_size=5, padding=2, stride=3)
    assert (explorer.size, explorer.stride, explorer.dilation) == (9, 3, 1)
    assert repr(explorer) == (
        "ConvArithmeticExplorer(size=9, kernel_size=5, padding=2, stride=3, dilation=1)"
    )


def test_overlap_explorer_holds_its_settings():
    explorer = TransposedConvOverlapExplorer(kernel_size=4)
    assert repr(explorer) == (
        "TransposedConvOverlapExplorer(size=6, kernel_size=4, stride=2)"
    )


PRESETS = {"identity": np.eye(3), "swap": np.eye(3)[::-1]}


def test_channel_mixer_sends_the_photo_as_bytes_and_keeps_preset_order():
    image = np.linspace(0, 1, 4 * 5 * 3).reshape(4, 5, 3)
    mixer = ChannelMixer(image, PRESETS)
    assert (mixer.height, mixer.width, len(mixer.pixels)) == (4, 5, 60)
    assert mixer.pixels[-1] == 255 and mixer.pixels[0] == 0
    assert [name for name, _ in mixer.presets] == ["identity", "swap"]
    assert mixer.weight == np.eye(3).tolist()
    assert repr(mixer).startswith("ChannelMixer(4×5 image, 2 presets")


@pytest.mark.parametrize(
    "image, presets, words",
    [
        (np.zeros((4, 5, 4)), PRESETS, "RGB image of shape (H, W, 3)"),
        (np.zeros((3, 4, 5)), PRESETS, "channels last"),
        (np.full((4, 5, 3), 2.0), PRESETS, "between 0 and 1"),
        (np.zeros((4, 5, 3)), {}, "at least one preset"),
        (np.zeros((4, 5, 3)), {"wide": np.ones((3, 4))}, "W is 3×3"),
        (np.zeros((4, 5, 3)), {"bad": np.full((3, 3), np.nan)}, "finite number"),
    ],
)
def test_channel_mixer_explains_bad_input(image, presets, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ChannelMixer(image, presets)
