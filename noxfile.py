"""Development sessions: ``python -m nox -s tests`` runs the test suite.

The test session runs on the oldest supported Python (3.10) and the newest one installed.
Interpreters are looked up under pyenv's ``versions/`` folder as well as on the PATH, because
pyenv puts only one version on the PATH; a version that is not installed is left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
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
def reliability(session: nox.Session) -> None:
    """Run the whole suite, then print the figures of its fault, race and bad-input tests."""
    session.install("-e", ".[test]")
    figures = Path(session.create_tmp()).resolve() / "reliability-figures.json"
    figures.unlink(missing_ok=True)
    # Exit status 1 (tests failed) still prints the table; the report then fails the session.
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        *session.posargs,
        env={"FIG_RELIABILITY_FIGURES": str(figures)},
        success_codes=[0, 1],
    )
    session.run("python", "-m", "tests.reliability.report", str(figures))


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
def bench(session: nox.Session) -> None:
    """Measure the provider beside the libraries a user would pick instead; print one table."""
    session.install("-e", ".[local]", "-r", "benchmarks/requirements.txt")
    session.run("python", "-m", "benchmarks.run", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the provider end to end against a local Secrets Manager; no AWS account needed."""
    session.install("-e", ".[local]")
    session.run("fig-secret-aws", "demo")


# The dependency matrix. aioboto3 pins one aiobotocore release, and the other two sessions pin
# the ends of the range that pyproject.toml declares, so each tests exactly the release it names.
AIOBOTOCORE_NEWEST = "3.10.0"
AIOBOTOCORE_LOWEST = "2.12.0"
NEWEST_PYTHON = TEST_PYTHONS[-1] if TEST_PYTHONS else None
OLDEST_PYTHON = _find_python("3.10")


def _print_versions(session: nox.Session, *extra: str) -> None:
    """Log the Python version and the installed versions of the packages that the matrix varies."""
    session.run(
        "python",
        "-c",
        "import sys, importlib.metadata as m; "
        "print(sys.version.split()[0], *(f'{name}=={m.version(name)}' for name in sys.argv[1:]))",
        "aiobotocore",
        "botocore",
        "aiohttp",
        "moto",
        *extra,
    )


@nox.session(python=NEWEST_PYTHON)
def tests_aioboto3(session: nox.Session) -> None:
    """Run the test suite with aioboto3 and the aiobotocore release it pins."""
    session.install("-e", ".[test,aioboto3]")
    _print_versions(session, "aioboto3")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=NEWEST_PYTHON)
def tests_aiobotocore_newest(session: nox.Session) -> None:
    """Run the test suite with the newest aiobotocore release, on the newest Python."""
    session.install("-e", ".[test]", f"aiobotocore=={AIOBOTOCORE_NEWEST}")
    _print_versions(session)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=OLDEST_PYTHON)
def tests_aiobotocore_lowest(session: nox.Session) -> None:
    """Run the test suite with the lowest aiobotocore that pyproject.toml allows, on Python 3.10."""
    if OLDEST_PYTHON is None:
        session.skip("Python 3.10 is not installed")
    session.install("-e", ".[test]", f"aiobotocore=={AIOBOTOCORE_LOWEST}")
    _print_versions(session)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Build the wheel and sdist, check them with twine, and try the wheel in a fresh venv."""
    session.install("build", "twine")
    work = Path(session.create_tmp())
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *sorted(str(path) for path in dist.iterdir()))

    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        if "fig_secret_aws/py.typed" not in archive.namelist():
            session.error(f"{wheel.name} has no fig_secret_aws/py.typed")

    venv = work / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = str(scripts / "python")
    command = str(scripts / "fig-secret-aws")
    session.run(python, "-m", "pip", "install", "--quiet", str(wheel), external=True)
    session.run(
        python, "-c", "import fig_secret_aws; print(fig_secret_aws.__version__)", external=True
    )

    help_text = session.run(command, "--help", external=True, silent=True) or ""
    for name in ("get", "name", "ensure", "rotate", "policy", "demo"):
        if f"    {name} " not in help_text:
            session.error(f"fig-secret-aws --help does not list the {name} command")

    secret_name = session.run(command, "name", "My Service", external=True, silent=True) or ""
    if secret_name.strip() != "FIG_MYSERVICE_SECRET":
        session.error(f"fig-secret-aws name 'My Service' printed {secret_name!r}")
    session.log("The installed wheel imports and its command line runs.")
