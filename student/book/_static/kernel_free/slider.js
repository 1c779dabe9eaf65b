// The slider of every kernel-free page (book/_static/kernel_free/<page>.html):
// it switches the precomputed frames listed in the page's kf-data manifest.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kf-data").textContent);
  var img = document.getElementById("kf-frame");
  var box = document.getElementById("kf-controls");
  var pos = data.controls.map(function (c) { return c.default; });
  var outputs = [];
  function frameIndex() {
    var k = 0;
    data.controls.forEach(function (c, i) { k = k * c.values.length + pos[i]; });
    return k;
  }
  function fit() {  // the embedding iframe takes this page's height (same origin)
    try {
      var f = window.frameElement;
      var h = Math.ceil(document.body.getBoundingClientRect().height);
      if (f && h > 0) { f.style.height = h + "px"; }
    } catch (e) { /* another origin: the iframe keeps its own height */ }
  }
  function update() {
    var k = frameIndex();
    img.src = data.frames[k];
    img.dataset.frame = String(k);
    img.alt = data.alt + " (" + data.controls.map(function (c, i) {
      return c.label + " = " + c.labels[pos[i]];
    }).join(", ") + ")";
    outputs.forEach(function (o, i) {
      if (o) { o.textContent = data.controls[i].labels[pos[i]]; }
    });
  }
  data.controls.forEach(function (c, i) {
    var label = document.createElement("label");
    label.appendChild(document.createTextNode(c.label));
    var input;
    if (c.kind === "dropdown") {
      input = document.createElement("select");
      c.labels.forEach(function (text, k) {
        var opt = document.createElement("option");
        opt.value = String(k);
        opt.textContent = text;
        input.appendChild(opt);
      });
      outputs.push(null);
    } else {
      input = document.createElement("input");
      input.type = "range";
      input.min = "0";
      input.max = String(c.values.length - 1);
      input.step = "1";
    }
    input.value = String(c.default);
    input.dataset.control = c.name;
    input.setAttribute("aria-label", c.label);
    input.addEventListener("input", function () {
      pos[i] = Number(input.value);
      update();
    });
    input.addEventListener("change", function () {
      pos[i] = Number(input.value);
      update();
    });
    label.appendChild(input);
    if (c.kind !== "dropdown") {
      var out = document.createElement("output");
      label.appendChild(out);
      outputs.push(out);
    }
    box.appendChild(label);
  });
  data.frames.forEach(function (src) { var im = new Image(); im.src = src; });
  img.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  update();
  fit();
})();
