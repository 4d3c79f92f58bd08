"""The report tests pass on any machine: from a clone at a very long path, with a temporary
folder there too, as a user with a long name, with refcheck configured in the shell
(REFCHECK_*) and a terminal width and colour set. They are run once more here, in such an
environment, so that CI holds it without running the whole suite twice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The tests whose output holds paths and widths: the report formats and the streamed report.
REPORT_TESTS = ["tests/report", "tests/test_streaming.py"]
USER = "a-user-whose-name-is-long-enough-to-push-every-temporary-path-further-right"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX temporary folders")
def test_the_report_tests_pass_at_a_long_path_as_a_long_named_configured_user(
    tmp_path: Path,
) -> None:
    deep = tmp_path / ("t" * 120)
    home = deep / "home" / USER
    home.mkdir(parents=True)
    (deep / "tmp").mkdir()
    # The clone: the tests and the data they read (refcheck itself is the one installed).
    clone = deep / "refcheck"
    clone.mkdir()
    skip = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis")
    for folder in ("tests", "references"):
        shutil.copytree(ROOT / folder, clone / folder, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    env = {
        **os.environ,
        "TMPDIR": str(deep / "tmp"),
        "HOME": str(home),
        "USER": USER,
        "LOGNAME": USER,
        # A user who configured refcheck, and a shell with a narrow, coloured terminal.
        "REFCHECK_CACHE_DIR": str(home / "cache"),
        "REFCHECK_FORMAT": "json",
        "REFCHECK_OFFLINE": "1",
        "REFCHECK_FAIL_ON": "never",
        "COLUMNS": "40",
        "FORCE_COLOR": "1",
        "TERM": "dumb",
    }
    # What pytest builds its temporary folders from: the long folder and the long name.
    probe = "import getpass, tempfile; print(tempfile.gettempdir()); print(getpass.getuser())"
    seen = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert seen.stdout.splitlines() == [str(deep / "tmp"), USER]

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--ignore={Path(__file__).relative_to(ROOT)}",
            *REPORT_TESTS,
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.strip().splitlines()[-1]
