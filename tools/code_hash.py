"""The code that a chapter's measured numbers come from, as one hash.

    python tools/code_hash.py u_net     # the hash, and the definitions it covers

A chapter's experiments are the functions of onebyone/experiments/<module>.py marked
``@experiment(...)``. The hash covers those functions and every definition they
reach: the module-level functions, classes and constants they name, in their own
module or imported from another module of the package, and what those name in
turn. Nothing else counts: a figure helper, a colour, an explorer, a notebook's
prose or cells, the self-check questions, the claims and their bounds
(tools/spread.py evaluates claims on the stored numbers) change no hash.

Code counts as its syntax tree, so comments and formatting do not count, nor do
docstrings, the messages of ``raise`` statements, the ``@experiment`` marks, or
the order in which a file defines things.
"""

import ast
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "onebyone"
MARK = "experiment"  # the decorator that marks an experiment


def _is_mark(decorator):
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return getattr(call, "id", "") == MARK


class _Normalised(ast.NodeTransformer):
    """Drops what computes nothing: docstrings, raise messages, experiment marks."""

    def _without_docstring(self, node):
        self.generic_visit(node)
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]
        return node

    visit_Module = visit_ClassDef = visit_AsyncFunctionDef = _without_docstring

    def visit_FunctionDef(self, node):
        node.decorator_list = [d for d in node.decorator_list if not _is_mark(d)]
        return self._without_docstring(node)

    def visit_Raise(self, node):
        self.generic_visit(node)
        if isinstance(node.exc, ast.Call):  # raise Error("message") -> raise Error
            node.exc = node.exc.func
        return node


def _normalised(statement):
    """A statement without what computes nothing (a copy)."""
    return _Normalised().visit(ast.parse(ast.unparse(statement)))


def _top_level(statements):
    """Module-level statements, looking inside ``if`` and ``try`` blocks."""
    for statement in statements:
        if isinstance(statement, (ast.If, ast.Try)):
            yield from _top_level(statement.body)
            yield from _top_level(statement.orelse)
            for handler in getattr(statement, "handlers", []):
                yield from _top_level(handler.body)
            yield from _top_level(getattr(statement, "finalbody", []))
        else:
            yield statement


def _targets(statement):
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
        )
        return [
            node.id
            for target in targets
            for node in ast.walk(target)
            if isinstance(node, ast.Name)
        ]
    return []


class Module:
    """One file of the package: what it defines, and what it imports from it."""

    def __init__(self, name, root=ROOT):
        self.name = name
        self.path = root / f"{name.replace('.', '/')}.py"
        if not self.path.is_file():
            self.path = root / name.replace(".", "/") / "__init__.py"
        self.tree = ast.parse(self.path.read_text())
        self.definitions, self.imports = {}, {}
        for statement in _top_level(self.tree.body):
            for target in _targets(statement):
                self.definitions.setdefault(target, []).append(statement)
            if isinstance(statement, ast.ImportFrom):
                self.imports.update(_package_imports(statement))

    def experiments(self):
        """The names of the functions marked ``@experiment``."""
        return [
            node.name
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef)
            and any(_is_mark(d) for d in node.decorator_list)
        ]


def _package_imports(statement):
    """{local name: (module, name)} for ``from onebyone.x import name``."""
    module = statement.module or ""
    if statement.level or not (module == PACKAGE or module.startswith(PACKAGE + ".")):
        return {}
    return {
        alias.asname or alias.name: (module, alias.name) for alias in statement.names
    }


def reached(module_name, names, root=ROOT):
    """{(module, name): [statements]} for the definitions the names reach."""
    modules, found = {}, {}
    todo = [(module_name, name) for name in names]
    while todo:
        key = todo.pop()
        if key in found:
            continue
        module, name = key
        if module not in modules:
            modules[module] = Module(module, root)
        here = modules[module]
        if name in here.imports:
            todo.append(here.imports[name])
            continue
        if name not in here.definitions:
            continue  # a local name, or one of Python's own
        statements = [_normalised(s) for s in here.definitions[name]]
        found[key] = statements
        for statement in statements:
            local = {}
            for node in ast.walk(statement):
                if isinstance(node, ast.ImportFrom):  # an import inside a function
                    local.update(_package_imports(node))
            for node in ast.walk(statement):
                if isinstance(node, ast.Name):
                    target = local.get(node.id, (module, node.id))
                    todo.append(target)
    return found


def covered(experiments_module, root=ROOT):
    """The definitions a chapter's experiments reach, as (module, name) pairs."""
    module = f"{PACKAGE}.experiments.{experiments_module}"
    roots = Module(module, root).experiments()
    if not roots:
        raise ValueError(f"{module} has no @experiment function")
    return sorted(reached(module, roots, root))


def code_hash(experiments_module, root=ROOT):
    """A hash of the code a chapter's measured numbers come from (16 hex digits)."""
    module = f"{PACKAGE}.experiments.{experiments_module}"
    roots = Module(module, root).experiments()
    digest = hashlib.sha256()
    for (name_module, name), statements in sorted(reached(module, roots, root).items()):
        for statement in statements:
            digest.update(f"{name_module}:{name}\n{ast.dump(statement)}\n".encode())
    return digest.hexdigest()[:16]


def main():
    module = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    print(code_hash(module))
    for name_module, name in covered(module):
        print(f"  {name_module}.{name}")


if __name__ == "__main__":
    main()
