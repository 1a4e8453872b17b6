"""The code that a chapter's measured numbers come from, as one hash.

    python tools/code_hash.py u_net     # the hash, and the definitions it covers

The hash covers the functions of onebyone/experiments/<module>.py marked
``@experiment(...)`` and every definition they reach: the module-level functions,
classes and constants they name, in their own module or imported from another
module of the package, and what those name in turn. Nothing else counts: a figure
helper, a colour, an explorer, the notebook, the questions and the claims change
no hash. Code counts as its syntax tree, without docstrings, the messages of
``raise`` statements and the ``@experiment`` marks, so comments and formatting do
not count either.
"""

import ast
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "onebyone"


def _is_mark(decorator):
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return getattr(call, "id", "") == "experiment"


class _Normalised(ast.NodeTransformer):
    """Drops what computes nothing: docstrings, raise messages, experiment marks."""

    def generic_visit(self, node):
        super().generic_visit(node)
        body = getattr(node, "body", None)
        if isinstance(node, ast.FunctionDef):
            node.decorator_list = [d for d in node.decorator_list if not _is_mark(d)]
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            node.exc = node.exc.func  # raise Error("message") -> raise Error
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
        return node


def _top_level(statements):
    """Module-level statements, looking inside ``if`` and ``try`` blocks."""
    for statement in statements:
        if isinstance(statement, ast.If | ast.Try):
            for part in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(statement, part, []))
            for handler in getattr(statement, "handlers", []):
                yield from _top_level(handler.body)
        else:
            yield statement


def _names_defined(statement):
    if isinstance(statement, ast.FunctionDef | ast.ClassDef):
        return [statement.name]
    targets = getattr(statement, "targets", [getattr(statement, "target", None)])
    if not isinstance(statement, ast.Assign | ast.AnnAssign):
        return []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _package_imports(statement):
    """{local name: (module, name)} for ``from onebyone.x import name``."""
    module = statement.module or ""
    if statement.level or module.split(".")[0] != PACKAGE:
        return {}
    return {a.asname or a.name: (module, a.name) for a in statement.names}


def _parse(module, root):
    path = root / f"{module.replace('.', '/')}.py"
    if not path.is_file():
        path = root / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text())
    definitions, imports = {}, {}
    for statement in _top_level(tree.body):
        for name in _names_defined(statement):
            definitions.setdefault(name, []).append(statement)
        if isinstance(statement, ast.ImportFrom):
            imports |= _package_imports(statement)
    return tree, definitions, imports


def reached(experiments_module, root=ROOT):
    """{(module, name): [normalised statements]} for what the experiments reach."""
    start = f"{PACKAGE}.experiments.{experiments_module}"
    tree = _parse(start, root)[0]
    todo = [
        (start, node.name)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(_is_mark, node.decorator_list))
    ]
    if not todo:
        raise ValueError(f"{start} has no @experiment function")
    parsed, found = {}, {}
    while todo:
        key = todo.pop()
        module, name = key
        if key in found:
            continue
        if module not in parsed:
            parsed[module] = _parse(module, root)
        _, definitions, imports = parsed[module]
        if name in imports:
            todo.append(imports[name])
            continue
        statements = [
            _Normalised().visit(ast.parse(ast.unparse(s)))
            for s in definitions.get(name, [])  # none: a local name, or Python's own
        ]
        if not statements:
            continue
        found[key] = statements
        for statement in statements:
            local = {}  # imports inside a function
            for node in ast.walk(statement):
                if isinstance(node, ast.ImportFrom):
                    local |= _package_imports(node)
            todo += [
                local.get(node.id, (module, node.id))
                for node in ast.walk(statement)
                if isinstance(node, ast.Name)
            ]
    return found


def covered(experiments_module, root=ROOT):
    """The definitions a chapter's experiments reach, as (module, name) pairs."""
    return sorted(reached(experiments_module, root))


def code_hash(experiments_module, root=ROOT):
    """A hash of the code a chapter's measured numbers come from (16 hex digits)."""
    digest = hashlib.sha256()
    for (module, name), statements in sorted(reached(experiments_module, root).items()):
        for statement in statements:
            digest.update(f"{module}:{name}\n{ast.dump(statement)}\n".encode())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    module = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    print(code_hash(module))
    print("\n".join(f"  {module}.{name}" for module, name in covered(module)))
