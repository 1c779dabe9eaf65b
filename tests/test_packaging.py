"""lrnn_utils installs the ordinary way (``pip install .``, ``pip install git+...``).

The test builds a wheel from a copy of the sources (non-editable, offline: no build
isolation, no index), installs it into a temporary directory and, in a fresh
interpreter that cannot see the checkout, imports every module the source tree has.
Each module must come from the installed copy: a subpackage left out of the wheel
fails here instead of on Colab or Binder.
"""

import json
import os
import pathlib
import shutil
import site
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "lrnn_utils"

# Runs in the fresh interpreter (python -I -S): sys.path is the install target plus
# the directories of the dependencies (numpy, ...), with no .pth files processed, so
# neither the checkout nor an editable install of it can supply lrnn_utils.
PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    target, deps, expected = json.loads(sys.argv[1])
    sys.path[:] = [target] + [p for p in sys.path if "site-packages" not in p] + deps
    files = {}
    for name in expected:
        files[name] = importlib.import_module(name).__file__
    pkg = importlib.import_module("lrnn_utils")
    walked = ["lrnn_utils"] + [
        m.name for m in pkgutil.walk_packages(pkg.__path__, "lrnn_utils.")
    ]
    print(json.dumps({"files": files, "walked": walked, "path": sys.path}))
    """
)


def _source_modules():
    """Dotted names of every module and package under lrnn_utils/ in the checkout."""
    names = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _run(cmd, **kwargs):
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=300, **kwargs
    )
    command = " ".join(map(str, cmd))
    assert proc.returncode == 0, f"{command}\n{proc.stdout}{proc.stderr}"
    return proc


def test_wheel_installs_every_module(tmp_path):
    # Build from a copy, so that setuptools' build/ and *.egg-info stay out of the
    # checkout.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / PACKAGE,
        src / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    pip = [sys.executable, "-m", "pip"]
    dist, target = tmp_path / "dist", tmp_path / "target"
    _run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", dist, src])
    (wheel,) = dist.glob("lrnn_utils-*.whl")
    _run(pip + ["install", "--no-deps", "--target", target, wheel])

    (dist_info,) = target.glob("lrnn_utils-*.dist-info")
    metadata = (dist_info / "METADATA").read_text()
    assert "Requires-Python: >=3.11" in metadata
    assert "Provides-Extra: colab" in metadata

    expected = _source_modules()
    assert f"{PACKAGE}.checks" in expected  # the subpackage that used to go missing
    deps = [p for p in site.getsitepackages() if pathlib.Path(p).is_dir()]
    args = json.dumps([str(target), deps, expected])
    out = _run([sys.executable, "-I", "-S", "-c", PROBE, args], cwd=tmp_path)
    result = json.loads(out.stdout)

    assert str(ROOT) not in result["path"]
    for name, file in result["files"].items():
        assert pathlib.Path(file).is_relative_to(target), (name, file)
    assert sorted(result["walked"]) == sorted(expected)
