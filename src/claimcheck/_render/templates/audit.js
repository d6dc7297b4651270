"use strict";
(function () {
  var claims = Array.prototype.slice.call(document.querySelectorAll("article.claim"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.report"));
  var buttons = document.querySelectorAll("#filters button[data-filter]");
  var search = document.getElementById("f-search");
  var report = document.getElementById("f-report");
  var code = document.getElementById("f-code");
  var checked = document.getElementById("f-checked");
  var count = document.getElementById("filter-count");
  var none = document.getElementById("no-match");
  var points = {};
  document.querySelectorAll("#points circle").forEach(function (c) { points[c.dataset.claim] = c; });
  // read once: thousands of claims are filtered on every keystroke
  var texts = claims.map(function (el) {
    var t = el.querySelector(".text");
    return (t ? t.textContent : "").toLowerCase();
  });
  var claimCodes = claims.map(function (el) { return " " + (el.dataset.codes || "") + " "; });
  var reportOf = claims.map(function (el) { return el.parentNode.dataset.r; });
  var reportCodes = {};
  sections.forEach(function (s) { reportCodes[s.dataset.r] = " " + (s.dataset.codes || "") + " "; });
  var tests = {
    all: function () { return true; },
    unsupported: function (el) { return el.dataset.unsupported === "1"; },
    contradicted: function (el) { return el.dataset.label === "contradicted"; },
    truncated: function (el) { return el.dataset.truncated === "1"; }
  };
  var kind = "all";

  function apply() {
    var q = search.value.trim().toLowerCase();
    var r = report.value;
    var c = code.value ? " " + code.value + " " : "";
    var k = checked.value;
    var shown = 0;
    var seen = {};
    claims.forEach(function (el, i) {
      var sec = reportOf[i];
      var keep = tests[kind](el) &&
        (!r || sec === r) &&
        (!c || claimCodes[i].indexOf(c) >= 0 || reportCodes[sec].indexOf(c) >= 0) &&
        (!k || el.dataset.checked === k) &&
        (!q || texts[i].indexOf(q) >= 0);
      el.hidden = !keep;
      var pt = points[el.id];
      if (pt) { pt.style.display = keep ? "" : "none"; }
      if (keep) { shown += 1; seen[sec] = true; }
    });
    var filtered = kind !== "all" || q !== "" || r !== "" || c !== "" || k !== "";
    sections.forEach(function (s) {
      var match = seen[s.dataset.r] || (!q && !r && c && reportCodes[s.dataset.r].indexOf(c) >= 0);
      s.hidden = filtered && !match && !(r === s.dataset.r);
    });
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.filter === kind)); });
    document.body.dataset.filter = kind;
    count.textContent = shown + " of " + claims.length + " claims";
    none.hidden = shown > 0;
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () { kind = b.dataset.filter; apply(); });
  });
  var timer = 0;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, claims.length > 2000 ? 150 : 0);
  });
  report.addEventListener("change", apply);
  code.addEventListener("change", apply);
  checked.addEventListener("change", apply);

  // Evidence sentences are cut out of the abstracts listed once under "Cited papers" (data-s/data-e, UTF-16
  // offsets), with the words shared with the claim highlighted (data-w), when their list is first opened.
  function sourceOf(ev) {
    var paper = document.getElementById("p-" + ev.dataset.p);
    var node = paper && paper.querySelector(ev.dataset.f === "title" ? ".ptitle" : ".abstract");
    return node ? node.textContent : "";
  }
  function sentence(ev) {
    var s = parseInt(ev.dataset.s, 10);
    var text = sourceOf(ev).slice(s, parseInt(ev.dataset.e, 10));
    var quote = document.createElement("blockquote");
    quote.className = "sentence";
    if (ev.dataset.w === undefined) {  // score 0: nothing in it matched the claim
      quote.textContent = text;
      return quote;
    }
    var mark = document.createElement("mark");
    var pos = 0;
    ev.dataset.w.split(" ").forEach(function (pair) {
      if (!pair) { return; }
      var ab = pair.split(",");
      var a = parseInt(ab[0], 10);
      var b = parseInt(ab[1], 10);
      var word = document.createElement("b");
      word.className = "w";
      word.textContent = text.slice(a, b);
      mark.append(text.slice(pos, a), word);
      pos = b;
    });
    mark.append(text.slice(pos));
    quote.append(mark);
    return quote;
  }
  function fill(list) {
    if (list.dataset.filled) { return; }
    list.dataset.filled = "1";
    list.querySelectorAll(".evidence[data-s]").forEach(function (ev) {
      var head = document.createElement("div");
      head.className = "ev-head";
      var link = document.createElement("a");
      link.className = "paper";
      link.href = "#p-" + ev.dataset.p;
      link.textContent = "arXiv:" + ev.dataset.p;
      var about = document.createElement("span");
      about.className = "muted";
      var stance = (ev.className.match(/stance-(\w+)/) || ["", ""])[1];
      about.textContent = (ev.dataset.f === "title" ? "in the title" : "in the abstract") +
        " · score " + ev.dataset.score + " · " + stance;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ctx";
      button.textContent = "show in context";
      head.append(link, " ", about, " ", button);
      var paper = document.getElementById("p-" + ev.dataset.p);
      if (paper && paper.dataset.href) {
        var src = document.createElement("a");
        src.className = "src";
        src.href = paper.dataset.href;
        src.rel = "noreferrer";
        src.textContent = "open in paper ↗";
        head.append(" ", src);
      }
      ev.append(head, sentence(ev));
    });
  }
  document.addEventListener("toggle", function (event) {
    var list = event.target;
    if (list instanceof HTMLDetailsElement && list.open && list.classList.contains("evidence-list")) { fill(list); }
  }, true);
  var expand = document.getElementById("expand");
  function expandAll(open) {
    document.querySelectorAll("details.evidence-list").forEach(function (list) {
      if (open) { fill(list); }
      list.open = open;
    });
    expand.setAttribute("aria-pressed", String(open));
  }
  expand.addEventListener("click", function () { expandAll(expand.getAttribute("aria-pressed") !== "true"); });

  // The sentence inside its whole abstract, on request.
  function context(ev, button) {
    var shown = ev.querySelector("blockquote.context");
    if (shown) {
      shown.remove();
      button.textContent = "show in context";
      return;
    }
    var source = sourceOf(ev);
    var s = parseInt(ev.dataset.s, 10);
    var e = parseInt(ev.dataset.e, 10);
    var quote = document.createElement("blockquote");
    quote.className = "context";
    var mark = ev.querySelector("blockquote.sentence mark");
    var middle = mark ? mark.cloneNode(true) : document.createElement("mark");
    if (!mark) { middle.textContent = source.slice(s, e); }
    quote.append(source.slice(0, s), middle, source.slice(e));
    ev.append(quote);
    button.textContent = "hide context";
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var button = target.closest("button.ctx");
    if (button) { context(button.closest(".evidence"), button); return; }
    var link = target.closest("a.paper");
    if (link) {
      var paper = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (paper) { paper.open = true; }
      return;
    }
    var dot = target.closest("#points circle");
    if (dot) {
      var claim = document.getElementById(dot.dataset.claim);
      if (claim) { claim.scrollIntoView(); }
    }
  });
  document.getElementById("points").addEventListener("mouseover", function (event) {
    var dot = event.target;
    if (!(dot instanceof SVGElement) || dot.querySelector("title")) { return; }
    var claim = document.getElementById(dot.dataset.claim || "");
    if (!claim) { return; }
    var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    var badge = claim.querySelector(".badge");
    title.textContent = "claim " + claim.id + ": " + (badge ? badge.textContent : "") + " — " +
      claim.querySelector(".text").textContent.slice(0, 120);
    dot.append(title);
  });

  // The state can come in the address: #filter=unsupported&q=xlm&report=3&code=number_mismatch
  location.hash.slice(1).split("&").forEach(function (pair) {
    var i = pair.indexOf("=");
    if (i < 0) { return; }
    var key = pair.slice(0, i);
    var value = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
    if (key === "filter" && tests[value]) { kind = value; }
    if (key === "q") { search.value = value; }
    if (key === "report") { report.value = value; }
    if (key === "code") { code.value = value; }
    if (key === "checked") { checked.value = value; }
    if (key === "evidence" && value === "open") { expandAll(true); }
  });
  apply();
})();
