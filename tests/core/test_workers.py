"""How many threads numpy's matrix products get (core.workers.one_thread_per_matrix_product)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dedupe_gui.core.workers import one_thread_per_matrix_product

_VAR = "OPENBLAS_NUM_THREADS"


def test_matrix_products_stay_on_their_thread_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(_VAR, raising=False)
    one_thread_per_matrix_product()
    assert os.environ[_VAR] == "1"
    monkeypatch.setenv(_VAR, "4")
    one_thread_per_matrix_product()
    assert os.environ[_VAR] == "4"


def test_the_command_line_sets_it_before_numpy_is_imported() -> None:
    code = (
        "import os, sys\n"
        "from dedupe_gui.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != _VAR}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split()[-2:] == ["1", "False"]
