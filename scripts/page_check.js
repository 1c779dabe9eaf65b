// The page-side checks of scripts/page_check.py (see its docstring). Called with
// {figureFontPt}; returns {problems: [[kind, message], ...], links: [[url, text]], height}.

async (opts) => {
  const problems = [];
  const add = (kind, msg) => problems.push([kind, msg.replace(/\s+/g, " ").trim()]);
  const root = document.querySelector("main article, article, main, [role=main]")
    || document.body;
  // open everything a reader can open, so that it is checked (and screenshotted)
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  document.querySelectorAll(".toggle-hidden").forEach(
    (e) => e.classList.remove("toggle-hidden"));
  document.querySelectorAll(".admonition.dropdown").forEach(
    (e) => e.classList.remove("toggle-hidden"));
  // images: load all now (lazy ones too)
  const imgs = Array.from(document.images);
  imgs.forEach((im) => { im.loading = "eager"; });
  await Promise.all(imgs.map((im) => im.complete ? null : new Promise((res) => {
    im.addEventListener("load", res); im.addEventListener("error", res);
    setTimeout(res, 5000);
  })));
  // MathJax (v3) when the page has math
  const hasMath = document.querySelector(".math, mjx-container, script[type^='math/tex']");
  if (hasMath) {
    for (let i = 0; i < 150 && !(window.MathJax && MathJax.startup
         && MathJax.startup.promise); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      await MathJax.startup.promise;
      if (MathJax.typesetPromise) { await MathJax.typesetPromise(); }
    } else {
      add("tex", "MathJax did not load on a page with math");
    }
  }
  await new Promise((r) => setTimeout(r, 200));  // layout settles
  const snippet = (s, i) => s.slice(Math.max(0, i - 40), i + 40);

  // ---- text outside code --------------------------------------------------------
  const SKIP = "pre, code, kbd, samp, script, style, noscript, textarea, mjx-container, "
    + ".highlight, .cell_output, .output, .MathJax, .MathJax_Preview, .headerlink, "
    + ".thebe, .thebelab-cell";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let prose = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (p && p.closest(SKIP)) { continue; }
    prose += n.nodeValue;
  }
  prose = prose.replace(/\s+/g, " ");
  const tex = /\$|\\\[|\\\(|\\\]|\\\)|\\(frac|begin|end)\b|\\[a-zA-Z]{2,}/g;
  let lastTex = -1000;  // one message per stretch of raw TeX
  for (const m of prose.matchAll(tex)) {
    if (m.index - lastTex > 80) {
      add("tex", `raw TeX "${m[0]}" in: ...${snippet(prose, m.index)}...`);
    }
    lastTex = m.index;
  }
  document.querySelectorAll("mjx-merror, [data-mjx-error], .MathJax_Error").forEach(
    (e) => add("tex", "MathJax error: " + (e.getAttribute("data-mjx-error")
      || e.textContent).slice(0, 120)));
  if (/\?\?\?/.test(prose)) {
    const i = prose.indexOf("???");
    add("link", `unresolved reference "???" in: ...${snippet(prose, i)}...`);
  }
  const fam = [["eq", "eqs", "eqn", "equation", "equations"],
               ["fig", "figs", "figure", "figures"], ["tab", "table", "tables"],
               ["sec", "section", "sections", "§"], ["ch", "chap", "chapter"],
               ["lemma"], ["theorem", "thm"], ["proposition", "prop"],
               ["exercise"], ["appendix", "app"]];
  const words = fam.flat().join("|");
  const dbl = new RegExp(`(?<![\\w])(${words})\\.?\\s*(${words})\\.?\\s*[(\\d]`, "gi");
  for (const m of prose.matchAll(dbl)) {
    const f1 = fam.findIndex((f) => f.includes(m[1].toLowerCase()));
    const f2 = fam.findIndex((f) => f.includes(m[2].toLowerCase()));
    if (f1 === f2) { add("label", `doubled label "${m[0]}" in: ...${snippet(prose, m.index)}...`); }
  }

  // ---- images -------------------------------------------------------------------
  let cap = document.querySelector("figcaption, .caption");
  let probe = null;
  if (!cap) {
    probe = document.createElement("figcaption");
    probe.textContent = "x";
    (root.querySelector("figure") || root).appendChild(probe);
    cap = probe;
  }
  const capPx = parseFloat(getComputedStyle(cap).fontSize);
  if (probe) { probe.remove(); }
  const figPx = opts.figureFontPt / 72 * 100;
  for (const im of root.querySelectorAll("img")) {
    const name = (im.getAttribute("src") || "").split("/").pop();
    if (im.naturalWidth === 0) { add("image", `image did not load: ${name}`); continue; }
    const inFigure = im.closest("figure, .cell_output, .output");
    if (!inFigure) { continue; }
    const alt = (im.getAttribute("alt") || "").trim();
    const altName = alt.split("/").pop();
    if (!alt || altName === name || /\.(png|svg|jpe?g|gif)$/i.test(alt)) {
      add("alt", `no alt text: ${name}`);
    }
    const shown = im.getBoundingClientRect().width;
    if (shown === 0) { continue; }   // not displayed (e.g. a hidden output)
    const ratio = shown / im.naturalWidth;
    if (ratio < 0.8) {
      add("figure-size", `${name} shown at ${(100 * ratio).toFixed(1)} % of its natural `
        + `width (${Math.round(shown)} of ${im.naturalWidth} px; minimum 80 %)`);
    }
    if (ratio * figPx < 0.8 * capPx) {
      add("figure-size", `${name}: text ~${(ratio * figPx).toFixed(1)} px, below 80 % `
        + `of the caption size ${capPx.toFixed(1)} px`);
    }
  }

  // ---- overflow -----------------------------------------------------------------
  const boxes = root.querySelectorAll(
    "pre, .cell_output .output, .output_area, table, .highlight, .math-wrapper");
  const seen = new Set();
  for (const b of boxes) {
    if (b.clientWidth === 0 || b.scrollWidth <= b.clientWidth + 1) { continue; }
    if ([...seen].some((s) => s.contains(b) || b.contains(s))) { continue; }
    seen.add(b);
    const what = b.closest(".cell_output, .output") ? "output" : "code/table";
    add("overflow", `${what} block ${b.scrollWidth} px wide in a ${b.clientWidth} px `
      + `column: ${b.textContent.trim().slice(0, 70)}`);
  }

  // ---- cell outputs -------------------------------------------------------------
  // an exception as Python prints it (a line starting "SomeError: "), not a mention of one
  const bad = /Traceback \(most recent call last\)|(?:^|\n)\s*[A-Z]\w*(?:Error|Exception): |\bnan\b|\bNaN\b|\b[A-Z]\w*Warning\b|\bwarnings?\.warn|\bwarning:/g;
  for (const o of root.querySelectorAll(".cell_output, div.output")) {
    if (o.parentElement && o.parentElement.closest(".cell_output, div.output")) { continue; }
    if (o.querySelector(".stderr, .output.stderr") || o.classList.contains("stderr")) {
      add("output", "stderr output: " + o.textContent.trim().slice(0, 100));
    }
    const t = o.innerText || o.textContent;
    for (const m of t.matchAll(bad)) {
      add("output", `"${m[0].trim()}" in output: ...${snippet(t.replace(/\s+/g, " "),
        t.replace(/\s+/g, " ").indexOf(m[0]))}...`);
    }
  }

  // ---- launch buttons on notebook pages (pages with code cells) -------------------
  if (document.querySelector("div.cell")) {
    const has = (sel) => document.querySelector(sel) !== null;
    if (!has('a[href*="mybinder.org/v2/gh/"][href$=".ipynb"]')) {
      add("launch", "no Binder button");
    }
    if (!has('a[href*="colab.research.google.com/github/"][href$=".ipynb"]')) {
      add("launch", "no Colab button");
    }
    if (!has(".btn-launch-thebe") || !has('script[type="text/x-thebe-config"]')) {
      add("launch", "no Live Code (Thebe) button or configuration");
    }
  }

  // ---- links (checked against the files by the caller) --------------------------
  const links = [];
  for (const a of document.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (!href || /^(https?:|mailto:|javascript:|data:)/i.test(href) || href === "#") {
      continue;
    }
    if (href.startsWith("#")) {
      const id = decodeURIComponent(href.slice(1));
      if (!document.getElementById(id) && !document.getElementsByName(id).length) {
        add("link", `missing anchor ${href} (text "${a.textContent.trim().slice(0, 40)}")`);
      }
      continue;
    }
    links.push([a.href, a.textContent.trim().slice(0, 40)]);
  }
  return {problems: problems, links: links,
          height: Math.ceil(document.documentElement.scrollHeight)};
}
