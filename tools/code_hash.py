"""The code that a chapter's measured numbers come from, as one hash.

    python tools/code_hash.py u_net     # the hash, and the files it covers

The hash covers onebyone/experiments/<module>.py and every module of the package
that it imports, directly or through another: what the chapter's experiments can
run. The experiments framework (onebyone/experiments/__init__.py, which records
results) and the modules no experiment imports (the explorers, the frame player)
do not count. Code counts as its syntax tree, without docstrings and the messages
of ``raise`` statements, so comments, formatting and words change no hash.
"""

import ast
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "onebyone"
FRAMEWORK = f"{PACKAGE}.experiments"  # records what the experiments return


class _Normalised(ast.NodeTransformer):
    """Drops what computes nothing: docstrings and the messages of raise."""

    def generic_visit(self, node):
        super().generic_visit(node)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            node.exc = node.exc.func  # raise Error("message") -> raise Error
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
        return node


def _path(module, root):
    path = root / f"{module.replace('.', '/')}.py"
    return path if path.is_file() else path.with_suffix("") / "__init__.py"


def _imported(tree, root):
    """The package's modules that a module imports, anywhere in its code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module
            for alias in node.names:  # from onebyone import segmentation
                if _path(f"{node.module}.{alias.name}", root).is_file():
                    yield f"{node.module}.{alias.name}"


def covered(experiments_module, root=ROOT):
    """{module name: normalised syntax tree} for what a chapter's experiments run."""
    todo, found = [f"{FRAMEWORK}.{experiments_module}"], {}
    while todo:
        module = todo.pop()
        if module in found or module == FRAMEWORK:
            continue
        if module.split(".")[0] != PACKAGE:
            continue
        tree = ast.parse(_path(module, root).read_text())
        found[module] = _Normalised().visit(tree)
        todo += _imported(tree, root)
    return dict(sorted(found.items()))


def code_hash(experiments_module, root=ROOT):
    """A hash of the code a chapter's measured numbers come from (16 hex digits)."""
    digest = hashlib.sha256()
    for module, tree in covered(experiments_module, root).items():
        digest.update(f"{module}\n{ast.dump(tree)}\n".encode())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    module = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    print(code_hash(module))
    print("\n".join(f"  {name}" for name in covered(module)))
