"""One by One's helpers: the package that the course's notebooks import.

Installed by requirements.txt (editable) and, where it is missing (Colab), by each
notebook's first cell, from the book's repository. Where a chapter teaches a
helper, the notebook shows its file in visible cells that tools/shared_code.py keeps
equal to it; every other helper is imported. Importing a module runs nothing but
definitions.
"""
