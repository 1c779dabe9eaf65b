"""Check every page of a built book in headless Chromium.

Usage (from the repository root, after ``jupyter-book build . --builder html``)::

    python scripts/page_check.py _build/html        # screenshots in _build/page_check/
    python scripts/page_check.py student/_build/html --screenshots /tmp/shots

Every HTML page (except genindex/search and redirect stubs) is loaded at 1280 px wide,
MathJax is awaited, dropdowns and hidden cells are opened, and the page FAILS on

* ``tex``: raw TeX in the text outside code (``$``, ``\\[``, ``\\(``, ``\\frac``,
  ``\\begin{``, any ``\\macro``), or a MathJax error;
* ``image``: an ``<img>`` that did not load (``naturalWidth == 0``);
* ``link``: an internal link to a missing file or to a missing ``#anchor``, or Sphinx's
  ``???`` for an unresolved cross-reference;
* ``label``: a doubled label such as "eq. Eq. (3)" or "Fig. Fig. 2";
* ``figure-size``: a content image displayed below 80 % of its natural width, or whose
  text would be smaller than the page's caption text. Rule (approximate, the PNG's
  text is not measured): matplotlib figures are saved at 100 dpi with ``font.size``
  10 pt (``lrnn_utils.plotting.use_book_style``), i.e. 10/72*100 = 13.9 px of text;
  displayed it is ``ratio * 13.9`` px, ``ratio`` = displayed / natural width. It must
  be at least 0.8 times the computed font size of a caption on the page
  (``figcaption``, measured in the page: 14.4 px in the book's theme, so ``ratio``
  must be at least 0.83). ``--figure-font-pt`` changes the 10 pt;
* ``overflow``: a code block, output or table wider than its column
  (``scrollWidth > clientWidth``);
* ``output``: a traceback, ``nan``/``NaN``, an exception as Python prints it (a line
  starting ``SomeError: ``; a sentence that mentions an error's name is fine), a
  warning, or any stderr stream in a cell output;
* ``launch``: a page with code cells (a notebook) without its Binder and Colab buttons
  and the Live Code (Thebe) button and configuration;
* ``alt``: an ``<img>`` in a figure or cell output without alt text (an alt that is just
  the image's file name, as myst-nb writes by default, counts as none);
* ``kernel-free``: a kernel-free interactive figure (``iframe.kernel-free``, made by
  ``scripts/kernel_free.py``) whose frame does not load, or where moving a control
  through its positions does not load a new image, update the readout and alt text,
  or change the pixels shown (``check_kernel_free``).

One full-page screenshot per page (1280 px wide) is written to ``--screenshots``
(default: ``page_check/`` next to the HTML directory, i.e. ``_build/page_check/``),
with ``report.json`` listing every failure. Exit status 1 if any page fails.

Chromium is driven through the DevTools protocol (``websocket-client``). When
``/usr/bin/chromium`` is missing and the script runs as root (CI), it installs Debian's
``chromium`` with apt-get.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "_sphinx_design_static"}
WIDTH = 1280
MAX_SHOT_HEIGHT = 30000  # px; taller pages are cut (Chromium's texture limits)

# The page-side checks (a JavaScript function expression).
CHECK_JS = (Path(__file__).with_name("page_check.js")).read_text(encoding="utf-8")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.redirect = False

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        for key in ("id", "name"):
            if d.get(key):
                self.ids.add(d[key])
        if tag == "meta" and (d.get("http-equiv") or "").lower() == "refresh":
            self.redirect = True


_ID_CACHE: dict[Path, _Ids] = {}


def page_ids(path: Path) -> _Ids:
    """Ids and name attributes of an HTML file (cached)."""
    if path not in _ID_CACHE:
        parser = _Ids()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        _ID_CACHE[path] = parser
    return _ID_CACHE[path]


def check_link(url: str) -> str | None:
    """None if a file:// link reaches an existing file (and anchor), else why not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "file":
        return None
    target = Path(urllib.parse.unquote(parts.path))
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return f"missing file {target.name}"
    if parts.fragment and target.suffix == ".html":
        if urllib.parse.unquote(parts.fragment) not in page_ids(target).ids:
            return f"missing anchor #{parts.fragment} in {target.name}"
    return None


def find_chromium() -> str:
    """Path of Chromium; install Debian's package when missing and running as root."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("page_check: installing chromium with apt-get", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
            check=True,
            env=env,
        )
        return "/usr/bin/chromium"
    raise SystemExit("page_check: Chromium not found (install Debian's chromium)")


class Browser:
    """A headless Chromium and one page, driven through the DevTools protocol."""

    def __init__(self, executable: str):
        import websocket  # websocket-client

        self.profile = tempfile.mkdtemp(prefix="page_check_")
        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("Chromium exited at start-up")
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("Chromium did not open its DevTools port")
        port = int(port_file.read_text().split()[0])
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
                    targets = json.load(r)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("no page target in Chromium")
        self.ws = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict] = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.set_height(900)

    def call(self, method: str, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        self.ws.send(json.dumps(msg))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 60.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, ev in enumerate(self.events):
                if ev["method"] == method:
                    del self.events[: i + 1]
                    return True
            self.ws.settimeout(max(0.1, end - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:  # timeout
                break
        return False

    def set_height(self, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def open(self, url: str) -> None:
        self.events.clear()
        self.set_height(900)
        self.call("Page.navigate", url=url)
        if not self.wait_event("Page.loadEventFired", 60):
            raise RuntimeError(f"page did not load: {url}")

    def evaluate(self, expression: str, context_id: int | None = None):
        extra = {} if context_id is None else {"contextId": context_id}
        res = self.call(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
            timeout=60000,
            **extra,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(
                "page script failed: " + json.dumps(res["exceptionDetails"])[:500]
            )
        return res["result"].get("value")

    def frame_context(self, url_part: str) -> int | None:
        """An execution context in the first child frame whose URL has ``url_part``
        (an isolated world: the frame's DOM, whatever its origin)."""

        def walk(tree):
            url = tree["frame"].get("url", "")
            if tree["frame"].get("parentId") and url_part in url:
                return tree["frame"]["id"]
            for child in tree.get("childFrames", []):
                found = walk(child)
                if found:
                    return found
            return None

        frame_id = walk(self.call("Page.getFrameTree")["frameTree"])
        if frame_id is None:
            return None
        world = self.call(
            "Page.createIsolatedWorld", frameId=frame_id, worldName="page_check"
        )
        return world["executionContextId"]

    def clip_png(self, rect: dict) -> bytes:
        """A screenshot of a rectangle of the page (document coordinates) that lies in
        the viewport (scroll it into view first)."""
        data = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=False,
            clip={**rect, "scale": 1},
        )
        return base64.b64decode(data["data"])

    def screenshot(self, path: Path, height: int) -> None:
        height = max(900, min(height, MAX_SHOT_HEIGHT))
        self.set_height(height)
        time.sleep(0.3)
        data = self.call("Page.captureScreenshot", format="png", fromSurface=True)
        path.write_bytes(base64.b64decode(data["data"]))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# Kernel-free figures (scripts/kernel_free.py): run in the figure's frame; moves every
# control through all its positions (the others at their defaults) and reports what
# it saw. Returns {problems, frames_seen, n_frames}.
KERNEL_FREE_JS = """
(async () => {
  const problems = [];
  const data = JSON.parse(document.getElementById("kf-data").textContent);
  const img = document.getElementById("kf-frame");
  const inputs = Array.from(document.querySelectorAll(
    "#kf-controls input, #kf-controls select"));
  const loaded = () => new Promise((res) => {
    if (img.complete) { res(); return; }
    img.addEventListener("load", res, {once: true});
    img.addEventListener("error", res, {once: true});
    setTimeout(res, 5000);
  });
  const move = async (input, k) => {
    input.value = String(k);
    input.dispatchEvent(new Event("input", {bubbles: true}));
    input.dispatchEvent(new Event("change", {bubbles: true}));
    await loaded();
  };
  if (inputs.length !== data.controls.length) {
    problems.push(`${inputs.length} controls for ${data.controls.length} in the data`);
  }
  await loaded();
  if (img.naturalWidth === 0) { problems.push("the first frame did not load"); }
  const seen = new Set([img.getAttribute("src")]);
  for (const [i, input] of inputs.entries()) {
    const c = data.controls[i];
    for (let k = 0; k < c.values.length; k++) {
      const before = img.getAttribute("src");
      await move(input, k);
      const src = img.getAttribute("src");
      if (img.naturalWidth === 0) { problems.push(`frame ${src} did not load`); }
      if (k > 0 && src === before) {
        problems.push(`moving ${c.label} to ${c.labels[k]} did not change the image`);
      }
      const out = input.parentElement.querySelector("output");
      if (out && out.textContent !== c.labels[k]) {
        problems.push(`${c.label} shows ${out.textContent}, not ${c.labels[k]}`);
      }
      if (!img.alt.includes(`${c.label} = ${c.labels[k]}`)) {
        problems.push(`alt text does not say ${c.label} = ${c.labels[k]}`);
      }
      seen.add(src);
    }
    await move(input, c.default);
  }
  return {problems: problems, frames_seen: seen.size, n_frames: data.frames.length};
})()
"""

# In the frame: move the first control one step from its default, or back.
KERNEL_FREE_STEP_JS = """
(async () => {
  const input = document.querySelector("#kf-controls input, #kf-controls select");
  const img = document.getElementById("kf-frame");
  const data = JSON.parse(document.getElementById("kf-data").textContent);
  const c = data.controls[0];
  const k = %s ? c.default : (c.default + 1) %% c.values.length;
  input.value = String(k);
  input.dispatchEvent(new Event("input", {bubbles: true}));
  if (!img.complete) {
    await new Promise((res) => { img.onload = res; img.onerror = res;
                                 setTimeout(res, 5000); });
  }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return img.getAttribute("src");
})()
"""


def check_kernel_free(browser: Browser) -> list[list[str]]:
    """Problems of the kernel-free figures on the open page (none: no problems).

    Every ``iframe.kernel-free`` is checked in its own frame: each control is moved
    through all its positions (the others at their defaults): each step must load a
    new image and update the readout and alt text. Then the page is screenshotted
    around the iframe before and after moving the first control one step: the
    displayed pixels must change.
    """
    srcs = browser.evaluate(
        "Array.from(document.querySelectorAll('iframe.kernel-free'))"
        ".map((f) => f.getAttribute('src'))"
    )
    problems = []
    for k, src in enumerate(srcs or []):
        name = src.rsplit("/", 1)[-1]
        ctx = browser.frame_context("/" + name)
        if ctx is None:
            problems.append(["kernel-free", f"{name}: its frame did not load"])
            continue
        try:
            out = browser.evaluate(KERNEL_FREE_JS, context_id=ctx)
        except RuntimeError as exc:
            problems.append(["kernel-free", f"{name}: {exc}"])
            continue
        problems += [["kernel-free", f"{name}: {p}"] for p in out["problems"]]
        if out["frames_seen"] < 2:
            problems.append(["kernel-free", f"{name}: the image never changed"])
        browser.set_height(1600)  # the figure fits in the viewport: clips are exact
        frame = browser.evaluate(
            f"""(() => {{
              const f = document.querySelectorAll('iframe.kernel-free')[{k}];
              f.scrollIntoView();
              const r = f.getBoundingClientRect();
              return {{x: r.left + scrollX, y: r.top + scrollY,
                       width: r.width, height: r.height}};
            }})()"""
        )
        # the image alone (not the readouts, which change too), in page coordinates
        img = browser.evaluate(
            "(() => { const r = document.getElementById('kf-frame')"
            ".getBoundingClientRect(); return {x: r.left, y: r.top, "
            "width: r.width, height: r.height}; })()",
            context_id=ctx,
        )
        rect = {
            "x": frame["x"] + img["x"],
            "y": frame["y"] + img["y"],
            "width": min(img["width"], frame["width"] - img["x"]),
            "height": min(img["height"], frame["height"] - img["y"]),
        }
        if rect["width"] < 100 or rect["height"] < 100:
            problems.append(["kernel-free", f"{name}: figure shown at {rect}"])
            continue
        before = browser.clip_png(rect)
        src_moved = browser.evaluate(KERNEL_FREE_STEP_JS % "false", context_id=ctx)
        after = browser.clip_png(rect)
        browser.evaluate(KERNEL_FREE_STEP_JS % "true", context_id=ctx)
        if before == after:
            problems.append(
                [
                    "kernel-free",
                    f"{name}: moving a slider (to {src_moved}) did not "
                    "change the displayed figure",
                ]
            )
    return problems


def list_pages(html_dir: Path) -> list[Path]:
    """The HTML pages of a build, without indices, search and redirect stubs."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] in SKIP_DIRS or path.name in SKIP_PAGES:
            continue
        if page_ids(path).redirect:
            continue
        pages.append(path)
    return pages


def check_pages(
    html_dir: Path, shots: Path | None, figure_font_pt: float = 10.0
) -> dict[str, list[list[str]]]:
    """Failures per page (relative path -> [[kind, message], ...])."""
    html_dir = html_dir.resolve()
    pages = list_pages(html_dir)
    if not pages:
        raise SystemExit(f"page_check: no HTML pages under {html_dir}")
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    browser = Browser(find_chromium())
    results: dict[str, list[list[str]]] = {}
    try:
        for page in pages:
            rel = page.relative_to(html_dir).as_posix()
            try:
                browser.open(page.as_uri())
                out = browser.evaluate(
                    f"({CHECK_JS})({json.dumps({'figureFontPt': figure_font_pt})})"
                )
            except RuntimeError as exc:
                results[rel] = [["load", str(exc)]]
                continue
            problems = [list(p) for p in out["problems"]]
            try:
                problems += check_kernel_free(browser)
            except RuntimeError as exc:
                problems.append(["kernel-free", str(exc)])
            for url, text in out["links"]:
                why = check_link(url)
                if why:
                    problems.append(["link", f'{why} (link text "{text}")'])
            # one message per distinct problem, in order
            results[rel] = [list(p) for p in dict.fromkeys(map(tuple, problems))]
            if shots is not None:
                name = rel.replace("/", "__").removesuffix(".html") + ".png"
                try:
                    browser.screenshot(shots / name, out["height"])
                except RuntimeError as exc:
                    print(f"page_check: no screenshot of {rel}: {exc}", file=sys.stderr)
    finally:
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("html_dir", type=Path, help="built HTML, e.g. _build/html")
    ap.add_argument(
        "--screenshots",
        type=Path,
        default=None,
        help="where to write one PNG per page (default: <html_dir>/../page_check)",
    )
    ap.add_argument(
        "--figure-font-pt",
        type=float,
        default=10.0,
        help="font size of the figures in pt at 100 dpi (default 10, the book style)",
    )
    args = ap.parse_args(argv)
    if not args.html_dir.is_dir():
        ap.error(f"{args.html_dir} is not a directory")
    shots = args.screenshots or args.html_dir.resolve().parent / "page_check"
    start = time.monotonic()
    results = check_pages(args.html_dir, shots, args.figure_font_pt)
    (shots / "report.json").write_text(json.dumps(results, indent=1) + "\n")
    n_bad = 0
    for rel, problems in results.items():
        if problems:
            n_bad += 1
            print(f"FAIL {rel} ({len(problems)})")
            for kind, msg in problems:
                print(f"  [{kind}] {msg}")
        else:
            print(f"ok   {rel}")
    print(
        f"page_check: {len(results)} pages, {n_bad} failing, "
        f"{time.monotonic() - start:.1f} s; screenshots in {shots}"
    )
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
