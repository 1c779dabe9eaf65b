"""The repository URL is set in one place (_config.yml's repository.url): every copy
matches it, and scripts/set_repo_url.py rewrites them all (and only them)."""

import importlib.util
import re
import shutil
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "set_repo_url", REPO / "scripts" / "set_repo_url.py"
)
set_repo_url = importlib.util.module_from_spec(spec)
sys.modules["set_repo_url"] = set_repo_url
spec.loader.exec_module(set_repo_url)

GITHUB = re.compile(r"https?://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_-]+(?:\.[a-z]+)?")
DERIVED = re.compile(
    r"(?:mybinder\.org/v2/gh|colab\.research\.google\.com/github)/([\w.-]+/[\w.-]+)/"
)
PAGES = re.compile(r"https://([\w.-]+\.github\.io/[\w.-]+)/")
PLACEHOLDER = "https://github.com/OWNER/NAME"  # in the docs of set_repo_url.py
PAGES_PLACEHOLDER = "https://OWNER.github.io/NAME/"  # in the README
INSTALL = re.compile(r'"lrnn-utils\[colab\] @ git\+([^"]+)"')


def config_url(root=REPO):
    with open(root / "_config.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)["repository"]["url"]


URL = config_url()


def test_config_url_is_a_github_repository():
    assert set_repo_url.check_url(URL) == URL
    assert set_repo_url.current_url() == URL


def test_pyproject_urls():
    with open(REPO / "pyproject.toml", "rb") as f:
        urls = tomllib.load(f)["project"]["urls"]
    assert urls and set(urls.values()) == {URL}


@pytest.mark.parametrize("name", set_repo_url.TEXT_FILES)
def test_text_files(name):
    text = (REPO / name).read_text(encoding="utf-8")
    found = set(GITHUB.findall(text)) - {PLACEHOLDER}
    assert found <= {URL}, f"{name} names another repository URL: {found - {URL}}"
    derived = set(DERIVED.findall(text))
    assert derived <= {set_repo_url.slug(URL)}, derived
    pages = {f"https://{m}/" for m in PAGES.findall(text)} - {PAGES_PLACEHOLDER}
    assert pages <= {set_repo_url.pages_url(URL)}, pages


def chapter_notebooks(folder):
    return sorted((REPO / folder / "book").glob("[01][0-9]*.ipynb"))


@pytest.mark.parametrize("folder", [".", "student"])
def test_colab_cells(folder):
    paths = chapter_notebooks(folder)
    assert paths
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        cells = set_repo_url.colab_cells(nb)
        assert len(cells) == 1, f"{path.name}: {len(cells)} Colab cells"
        assert INSTALL.findall(cells[0].source) == [URL], path.name


def test_student_config():
    assert config_url(REPO / "student") == URL


def copy_repo(dst):
    for name in ("_config.yml", *set_repo_url.TEXT_FILES):
        (dst / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, dst / name)
    for path in (REPO / "book").glob("*.ipynb"):
        shutil.copy(path, dst / "book" / path.name)


def snapshot(root):
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root): p.read_bytes() for p in files}


def test_set_repo_url_rewrites_every_copy_and_back(tmp_path):
    copy_repo(tmp_path)
    before = snapshot(tmp_path)
    new = "https://github.com/someone-else/linear-rnn-book"
    assert set_repo_url.main([new, "--root", str(tmp_path), "--no-student"]) == 0
    assert config_url(tmp_path) == new
    for name in set_repo_url.TEXT_FILES:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert URL not in text and set_repo_url.slug(URL) + "/" not in text, name
        assert set_repo_url.pages_url(URL) not in text, name
    with open(tmp_path / "pyproject.toml", "rb") as f:
        assert set(tomllib.load(f)["project"]["urls"].values()) == {new}
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "https://someone-else.github.io/linear-rnn-book/" in readme  # book badge
    for path in sorted((tmp_path / "book").glob("*.ipynb")):
        old_nb = nbformat.read(REPO / "book" / path.name, as_version=4)
        new_nb = nbformat.read(path, as_version=4)
        for a, b in zip(old_nb.cells, new_nb.cells, strict=True):
            if a in set_repo_url.colab_cells(old_nb):
                assert INSTALL.findall(b.source) == [new]
                assert b.source == a.source.replace(URL, new)
            else:
                assert a == b, f"{path.name}: a cell other than the Colab cell changed"
    # and back: byte for byte what it was (formatting kept)
    set_repo_url.main([URL, "--root", str(tmp_path), "--no-student"])
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "bad",
    [
        "https://github.com/owner",
        "https://github.com/owner/name/",
        "https://github.com/owner/name.git",
        "http://github.com/owner/name",
        "https://gitlab.com/owner/name",
    ],
)
def test_bad_urls_rejected(bad):
    with pytest.raises(ValueError, match="url must look like"):
        set_repo_url.check_url(bad)


def test_launch_buttons_configured():
    """Binder, Colab and Live Code (Thebe) on every notebook page; the built pages
    are checked for the buttons by scripts/page_check.py ("launch")."""
    with open(REPO / "_config.yml", encoding="utf-8") as f:
        config = yaml.safe_load(f)
    launch = config["launch_buttons"]
    assert launch["thebe"] is True
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert config["repository"]["branch"]
