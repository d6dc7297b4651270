"use strict";
(function () {
  var buttons = document.querySelectorAll("#filters button");
  var claims = document.querySelectorAll("article.claim");
  var count = document.getElementById("filter-count");
  var tests = {
    all: function () { return true; },
    unsupported: function (el) { return el.dataset.unsupported === "1"; },
    contradicted: function (el) { return el.dataset.label === "contradicted"; },
    truncated: function (el) { return el.dataset.truncated === "1"; }
  };
  function apply(name) {
    var shown = 0;
    claims.forEach(function (el) {
      var keep = tests[name](el);
      el.hidden = !keep;
      if (keep) { shown += 1; }
    });
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.filter === name)); });
    document.body.dataset.filter = name;
    count.textContent = shown + " of " + claims.length + " claims";
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { apply(b.dataset.filter); });
  });
  var initial = (location.hash.match(/^#filter=(\w+)$/) || [])[1];
  apply(tests[initial] ? initial : "all");
})();
