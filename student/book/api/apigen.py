"""Sphinx extension: the API reference page, generated from the package's modules.

The page ``book/api/index.md`` holds the line ``.. lrnn-api::`` inside an ``{eval-rst}``
block. When Sphinx reads the page, this extension replaces that line by one section per
public module of ``lrnn_utils`` (found with :func:`pkgutil.walk_packages`, so a new or
renamed module appears without editing the page): the module's docstring, a summary
table and the documentation of every name in its ``__all__``. An object is documented
in the module that defines it; a public object defined in a private module (such as
``lrnn_utils.checks._core``) is documented where the package exports it. Docstrings are
numpy style (``sphinx.ext.napoleon``).

:func:`public_objects` is also used by ``book/api/link_first_use.py``, which lists the
first use of each function in the chapters.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

PACKAGE = "lrnn_utils"
MARKER = ".. lrnn-api::"


def public_modules(package: str = PACKAGE) -> list[str]:
    """The package and its public submodules, in import-path order."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _private(module_name: str) -> bool:
    return any(part.startswith("_") for part in module_name.split("."))


def public_objects(package: str = PACKAGE) -> dict[str, list[str]]:
    """Module name -> the names of ``__all__`` documented in that module."""
    found = {}
    for name in public_modules(package):
        module = importlib.import_module(name)
        keep = []
        for attr in getattr(module, "__all__", []):
            if inspect.ismodule(getattr(module, attr)):
                continue  # a submodule: it has a section of its own
            home = getattr(getattr(module, attr), "__module__", name)
            if home == name or _private(home):
                keep.append(attr)
        found[name] = keep
    return found


def _data(module, name: str, attr: str) -> list[str]:
    """A module constant: its ``#:`` comment and its value (napoleon would read the
    comment "Line style of ...: ..." as "type: description")."""
    from sphinx.pycode import ModuleAnalyzer

    doc = ModuleAnalyzer.for_module(name).find_attr_docs().get(("", attr), [])
    value = repr(getattr(module, attr))
    out = [f".. py:data:: {name}.{attr}", "", *("   " + line for line in doc)]
    return out + ["", "   Value: ``" + value.replace("`", "'") + "``", ""]


def _own_methods(cls) -> bool:
    return any(callable(v) and not k.startswith("_") for k, v in vars(cls).items())


def _summary(module, name: str, members: list[str]) -> list[str]:
    """A table: each name (linked) and the first paragraph of its docstring.

    Not autosummary: its first-sentence heuristic cuts ``h_1 .. h_T`` at ". "."""
    out = [".. list-table::", "   :widths: 30 70", ""]
    for m in members:
        obj = getattr(module, m)
        if callable(obj):
            first = " ".join((inspect.getdoc(obj) or "").split("\n\n")[0].split())
        else:
            first = "(constant)"
        out += [f"   * - :py:obj:`~{name}.{m}`", f"     - {first}"]
    return out + [""]


def api_rst(package: str = PACKAGE) -> str:
    """The reStructuredText of the whole reference."""
    out = []
    for name, members in public_objects(package).items():
        if name == package:  # its docstring is on the page already
            title = "Exported by the package"
            if not members:
                continue
        else:
            title = f"``{name.removeprefix(package + '.')}``"
        out += [title, "-" * len(title), ""]
        if name != package:
            out += [f".. automodule:: {name}", "   :no-members:", ""]
        if not members:
            continue
        out += [f".. currentmodule:: {name}", ""]
        module = importlib.import_module(name)
        out += _summary(module, name, members)
        for m in members:
            obj = getattr(module, m)
            if isinstance(obj, type):
                out += [f".. autoclass:: {name}.{m}"]
                out += ["   :members:", ""] if _own_methods(obj) else [""]
            elif callable(obj):
                out += [f".. autofunction:: {name}.{m}", ""]
            else:
                out += _data(module, name, m)
    return "\n".join(out)


def _documented() -> dict[str, list[str]]:
    """Short name -> the full names under which the reference documents it."""
    found = {}
    for name, members in public_objects().items():
        for m in members:
            found.setdefault(m, []).append(f"{name}.{m}")
    return found


@functools.lru_cache(maxsize=1)
def targets() -> dict[int, str]:
    """id of each documented function or class -> its full name on the page."""
    found = {}
    for name, members in public_objects().items():
        module = importlib.import_module(name)
        for m in members:
            obj = getattr(module, m)
            if inspect.isclass(obj) or inspect.isroutine(obj):
                found[id(obj)] = f"{name}.{m}"
    return found


def resolve(target: str) -> str | None:
    """The full name on the reference page that a cross-reference target means.

    ``lrnn_utils.engine.train`` is itself; ``engine.train`` and ``checks.euler_step``
    are read as Python reads them from ``lrnn_utils`` (``checks.euler_step`` is the
    function the checks package exports, documented as
    ``lrnn_utils.checks.ch02.euler_step``); a bare name is resolved when the reference
    documents it once (``TrainingDivergedError``); an attribute of a documented class
    (``Moments.sigma_xx``) is the class, whose docstring lists its attributes. None if
    nothing matches.

    Examples
    --------
    >>> resolve("checks.euler_step")
    'lrnn_utils.checks.ch02.euler_step'
    >>> resolve("engine.train") == resolve("lrnn_utils.engine.train")
    True
    >>> resolve("engine.no_such_function") is None
    True
    >>> resolve("Moments.sigma_xx")
    'lrnn_utils.moments.Moments'
    """
    found = _resolve_object(target)
    if found is None and "." in target:  # an attribute of a documented class, such
        owner, attr = target.rsplit(".", 1)  # as Task.s: its Attributes section
        cls = _resolve_object(owner)
        obj = None if cls is None else _object(cls)
        if inspect.isclass(obj) and (
            attr in getattr(obj, "__annotations__", {}) or hasattr(obj, attr)
        ):
            found = cls
    return found


def _object(full: str):
    module, _, attr = full.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _resolve_object(target: str) -> str | None:
    documented = _documented()
    if "." not in target:
        full = documented.get(target, [])
        return full[0] if len(full) == 1 else None
    if target in documented.get(target.rsplit(".", 1)[-1], []):
        return target
    *path, attr = target.removeprefix(PACKAGE + ".").split(".")
    try:
        obj = getattr(importlib.import_module(".".join([PACKAGE, *path])), attr)
    except (ImportError, AttributeError):
        return None
    return targets().get(id(obj))


def _missing_reference(app, env, node, contnode):
    """Resolve a short or package-level name of a documented object (:func:`resolve`).

    Docstrings say ``TrainingDivergedError`` (or ``lrnn_utils.TrainingDivergedError``)
    where the object is documented as ``lrnn_utils.TrainingDivergedError``, and the
    chapters link ``{py:func}`engine.train``` and ``{py:func}`checks.euler_step```;
    Sphinx only looks for the name as written and in the current module.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    full = resolve(target)
    if full is None or full == target:
        return None
    domain = env.get_domain("py")
    node = node.deepcopy()
    node["reftarget"] = full
    # searched by exact name, whatever its type (an attr link may land on its class)
    node.attributes.pop("refspecific", None)
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], full, node, contnode
    )


def _source_read(app, docname, source):
    if MARKER in source[0]:
        source[0] = source[0].replace(MARKER, api_rst())


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.napoleon")
    # Types in the numpy-style docstrings are prose ("array_like, shape (T, Nx)"),
    # not Python classes: render them as text, not as cross-references that nitpicky
    # mode could not resolve. Signatures show the parameters without annotations (the
    # docstring says the types).
    app.config.napoleon_numpy_docstring = True
    app.config.napoleon_google_docstring = False
    app.config.napoleon_use_param = False
    app.config.napoleon_use_rtype = False
    app.config.autodoc_typehints = "none"
    # "Attributes" sections of classes: rendered like Parameters (types as text).
    app.config.napoleon_custom_sections = [("Attributes", "params_style")]
    app.connect("source-read", _source_read)
    app.connect("missing-reference", _missing_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
