"""Development sessions: ``python -m nox -s tests`` runs the test suite.

The test session runs on the oldest supported Python (3.10) and the newest one installed.
Interpreters are looked up under pyenv's ``versions/`` folder as well as on the PATH, because
pyenv puts only one version on the PATH; a version that is not installed is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.download_python = "never"
nox.options.sessions = ["tests", "lint", "typing"]

SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")


def _works(interpreter: str, version: str) -> bool:
    """Return whether *interpreter* runs and is Python *version* (pyenv shims may not be)."""
    try:
        completed = subprocess.run(  # noqa: S603 (the path comes from pyenv or the PATH)
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False

    return completed.returncode == 0 and completed.stdout.strip() == version


def _find_python(version: str) -> str | None:
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))

    for candidate in candidates:
        if _works(str(candidate), version):
            return str(candidate)

    return None


def _test_pythons() -> list[str]:
    found = [path for version in SUPPORTED_PYTHONS if (path := _find_python(version))]
    if not found:
        return []

    # The oldest and the newest installed: the two ends of the supported range.
    return sorted({found[0], found[-1]}, key=found.index)


TEST_PYTHONS = _test_pythons()
TEST_PYTHON_IDS = [Path(path).name for path in TEST_PYTHONS]


@nox.session
@nox.parametrize("python", TEST_PYTHONS or [None], ids=TEST_PYTHON_IDS or ["current"])
def tests(session: nox.Session) -> None:
    """Run the test suite against moto's server on 127.0.0.1, warnings as errors."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check the package, and the typing checks of its public API, with mypy --strict."""
    session.install("-e", ".[typing]")
    session.run("mypy", "--strict", "fig_secret_aws", "tests/typing_usage.py")


@nox.session
def demo(session: nox.Session) -> None:
    """Run the provider end to end against a local Secrets Manager; no AWS account needed."""
    session.install("-e", ".[local]")
    session.run("fig-secret-aws", "demo")
