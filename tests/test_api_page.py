"""The API reference page (book/api/): generated from the package, complete, builds.

The page build (Sphinx with ``-W -n`` on the API page alone, execution off) takes about
5 seconds.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "api"))
import apigen  # noqa: E402
import link_first_use  # noqa: E402


def test_every_public_module_and_object_is_on_the_page():
    rst = apigen.api_rst()
    modules = apigen.public_modules()
    assert "lrnn_utils.network" in modules and "lrnn_utils.checks.ch02" in modules
    assert not any("._" in m for m in modules)
    n = 0
    for name in modules:
        module = importlib.import_module(name)
        if name != "lrnn_utils":
            assert f".. automodule:: {name}\n" in rst, name
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.ismodule(obj):
                continue
            home = getattr(obj, "__module__", name)
            # documented once: where it is defined, or where a private module's
            # object is exported
            where = home if not apigen._private(home) else name
            if where != name:
                continue
            n += 1
            assert f"{name}.{attr}" in rst, f"{name}.{attr} is missing"
    assert n >= 100
    # nothing is documented twice (Sphinx would warn of duplicate descriptions)
    targets = [
        line.split("::")[1].strip()
        for line in rst.splitlines()
        if line.startswith((".. autofunction::", ".. autoclass::", ".. py:data::"))
    ]
    assert len(targets) == len(set(targets)) == n


def test_toc_lists_the_page_in_the_back_matter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    back = [p for p in toc["parts"] if p["caption"] == "Back matter"][0]
    assert {"file": "book/api/index"} in back["chapters"]


def test_first_use_list_points_to_documented_objects():
    rows = link_first_use.first_uses()
    documented = {
        f"{m}.{a}" for m, names in apigen.public_objects().items() for a in names
    }
    assert len(rows) >= 50
    assert all(r["object"] in documented for r in rows)
    assert len({r["object"] for r in rows}) == len(rows)
    first = {r["object"]: r["page"] for r in rows}
    assert first["lrnn_utils.network.forward"] == "book/01_linear_rnn"


def test_api_page_builds_nitpicky_with_warnings_as_errors(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    config["sphinx"]["local_extensions"] = {"apigen": str(ROOT / "book" / "api")}
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "toc.yml").write_text("format: jb-book\nroot: book/api/index\n")
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jb),
            "build",
            str(ROOT),
            "--all",
            "--builder",
            "html",
            "-W",
            "-n",
            "--keep-going",
            "--config",
            str(tmp_path / "config.yml"),
            "--toc",
            str(tmp_path / "toc.yml"),
            "--path-output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = tmp_path / "out" / "_build" / "html" / "book" / "api" / "index.html"
    text = html.read_text()
    assert 'id="lrnn_utils.engine.train"' in text
    assert 'id="lrnn_utils.checks.ch02.euler_step"' in text
