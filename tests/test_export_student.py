"""scripts/export_student.py: the student edition as a standalone book repository.

The quick tests always run. The executed build (``jupyter-book build --builder html
-W -n`` of the exported folder, every notebook run with its stubs against the exported
copy of ``lrnn_utils``; about 3 minutes on 2 cores) runs only with
``LRNN_EXPORT_BUILD=1``, as in CI: with execution off the build cannot pass ``-W``,
because the student notebooks carry no outputs and every glued number would be missing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
URL = "https://github.com/example-course/lrnn-student"


def _load():
    spec = importlib.util.spec_from_file_location(
        "export_student", ROOT / "scripts" / "export_student.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "lrnn-student"
    _load().export(out, URL)
    return out


def _text_files(root: Path):
    for p in root.rglob("*"):
        if p.is_file() and "_build" not in p.parts and p.suffix != ".pyc":
            try:
                yield p, p.read_text()
            except UnicodeDecodeError:
                continue


def test_config_names_the_new_repository(exported):
    config = yaml.safe_load((exported / "_config.yml").read_text())
    full = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == URL
    assert config["repository"].get("path_to_book", "") in ("", ".")
    assert config["launch_buttons"] == full["launch_buttons"]
    assert config["html"]["use_repository_button"]


def test_no_solutions_no_instructor_pages(exported):
    toc = (exported / "_toc.yml").read_text()
    assert "book/instructors" not in toc and "book/performance" not in toc
    assert not (exported / "book" / "instructors.ipynb").exists()
    assert not (exported / "book" / "performance.md").exists()
    for name in ["tests", "scripts", "benchmarks", "student", ".ci"]:
        assert not (exported / name).exists(), name
    full_url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    n_files = 0
    for path, text in _text_files(exported):
        n_files += 1
        rel = path.relative_to(exported)
        if rel.parts[0] == "lrnn_utils":
            continue  # the package: see the module docstring of the script
        assert "BEGIN SOLUTION" not in text, rel
        assert "{solution" not in text, rel
        assert full_url not in text, rel
    assert n_files > 20
    notebooks = sorted((exported / "book").glob("*.ipynb"))
    assert [p.name for p in notebooks] == sorted(
        p.name for p in (ROOT / "book").glob("[01][0-9]*.ipynb")
    )
    stubs = sum(p.read_text().count("raise NotImplementedError()") for p in notebooks)
    exercises = sum(
        p.read_text().count("### BEGIN SOLUTION")
        for p in (ROOT / "book").glob("[01][0-9]*.ipynb")
    )
    assert stubs >= exercises > 0


def test_exported_package_imports_from_the_export(exported):
    code = "import lrnn_utils, lrnn_utils.checks; print(lrnn_utils.__file__)"
    env = dict(os.environ, PYTHONPATH=str(exported))
    got = subprocess.run(
        [sys.executable, "-c", code],
        cwd=exported,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(got.stdout.strip()).resolve().is_relative_to(exported.resolve())


def test_export_refuses_an_existing_folder_and_a_bad_url(tmp_path):
    es = _load()
    with pytest.raises(FileExistsError):
        es.export(tmp_path, URL)
    with pytest.raises(ValueError, match="repo_url"):
        es.export(tmp_path / "new", "not a url")


@pytest.mark.skipif(
    os.environ.get("LRNN_EXPORT_BUILD") != "1",
    reason="executed build of the export: set LRNN_EXPORT_BUILD=1 (about 3 min)",
)
def test_export_builds_with_warnings_as_errors(exported, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(exported))
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jb),
            "build",
            str(exported),
            "--builder",
            "html",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(tmp_path / "site"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = tmp_path / "site" / "_build" / "html"
    page = (html / "book" / "02_decoupling.html").read_text()
    assert URL in page  # the repository and launch buttons point to the export
    assert not (html / "book" / "instructors.html").exists()
