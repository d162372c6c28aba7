"""The numbered notebooks run top to bottom, headless, and are committed clean.

Each notebook is executed with nbclient in a python3 kernel (ipykernel), in a
fresh temporary working directory, with matplotlib's Agg backend; any cell
that raises fails its test. The notebooks import only the installed package
(no ``sys.path`` edits) and are committed without outputs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [path.stem for path in PATHS]
#: Seconds any one cell may take (the slowest compiles the numba kernel or calibrates).
CELL_TIMEOUT = 120


def test_the_numbered_notebooks_are_all_there():
    numbers = sorted({path.name[:2] for path in PATHS})
    assert numbers == ["01", "02", "03", "04", "05", "06"]
    assert {"06_workshop_exercises", "06_workshop_solutions"} <= set(IDS)
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", stem) for stem in IDS)


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """Headless plotting, and a home of its own so no user configuration leaks in."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return dict(os.environ)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_runs_headless(path, tmp_path, kernel_env):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=kernel_env)  # raises CellExecutionError naming the cell on any error
    assert all(cell.get("execution_count") for cell in notebook.cells
               if cell.cell_type == "code" and cell.source.strip())


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "a notebook without code"
    for cell in code:
        assert cell.outputs == [], f"cell {cell.get('id')} has outputs: clear them"
        assert cell.execution_count is None, f"cell {cell.get('id')} has an execution count"
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_imports_only_the_installed_package(path):
    notebook = nbformat.read(path, as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "sys.path" not in source and "import sys" not in source
    assert "chdir" not in source
    modules = set(re.findall(r"^\s*(?:import|from)\s+([A-Za-z_][\w]*)", source, re.MULTILINE))
    assert modules <= {"flywheel", "numpy", "matplotlib", "ipywidgets", "time", "tempfile",
                       "pathlib"}, modules
    assert "import flywheel" in source
    assert not re.search(r"flywheel\.\w+\._|from flywheel\.\w+(\.\w+)* import _", source), \
        "private names of the package"
