"""The README's example runs and prints what the README says; the package docstring's doctest
passes."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import kiro

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example() -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    expected = re.search(r"prints\n\n```text\n(.*?)```", text, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})
    assert out.getvalue() == expected


def test_package_doctest() -> None:
    failures, tried = doctest.testmod(kiro)
    assert tried > 0 and failures == 0
