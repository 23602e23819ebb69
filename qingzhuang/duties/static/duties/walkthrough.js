// First-time walkthrough for the user's role. Steps come from <script type="application/json"
// id="qz-walkthrough"> (rendered by {% walkthrough %}); no inline code (CSP script-src 'self').
// Starts by itself once per user; any element with data-walkthrough-start starts it again.
(function () {
  "use strict";
  var dataEl = document.getElementById("qz-walkthrough");
  if (!dataEl) return;
  var data;
  try { data = JSON.parse(dataEl.textContent || "{}"); } catch (e) { return; }
  var steps = (data && data.steps) || [];
  var labels = (data && data.labels) || {};
  function label(key, fallback) { return labels[key] || fallback; }
  if (!steps.length) return;
  var storeKey = "qz-walkthrough-done:" + (data.role || "");
  var box = null, index = 0, lastTarget = null, previousFocus = null;

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function remember() {
    try { window.localStorage.setItem(storeKey, "1"); } catch (e) { /* private mode */ }
    if (data.done_url && window.fetch) {
      window.fetch(data.done_url, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
      }).catch(function () { /* offline: localStorage still remembers */ });
    }
  }
  function visible(el) {
    return !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  }
  function clearTarget() {
    if (lastTarget) lastTarget.classList.remove("qz-wt-target");
    lastTarget = null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function build() {
    box = el("div", "qz-wt");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", "qz-wt-title");
    box.tabIndex = -1;
    var count = el("p", "qz-wt-count");
    var title = el("h2", "qz-wt-title"); title.id = "qz-wt-title";
    var text = el("p", "qz-wt-text");
    var bar = el("div", "qz-wt-bar");
    var prev = el("button", "qz-wt-prev", label("prev", "上一步")); prev.type = "button";
    var next = el("button", "primary qz-wt-next", label("next", "下一步")); next.type = "button";
    var skip = el("button", "link qz-wt-skip", label("skip", "跳过引导")); skip.type = "button";
    prev.addEventListener("click", function () { show(index - 1); });
    next.addEventListener("click", function () {
      if (index >= steps.length - 1) finish(); else show(index + 1);
    });
    skip.addEventListener("click", finish);
    bar.appendChild(skip); bar.appendChild(prev); bar.appendChild(next);
    box.appendChild(count); box.appendChild(title); box.appendChild(text); box.appendChild(bar);
    document.body.appendChild(box);
  }
  function show(i) {
    if (!box) build();
    index = Math.max(0, Math.min(i, steps.length - 1));
    var step = steps[index];
    box.querySelector(".qz-wt-count").textContent = label("count", "第 {n} 步，共 {total} 步")
      .replace("{n}", String(index + 1)).replace("{total}", String(steps.length));
    box.querySelector(".qz-wt-title").textContent = step.title || "";
    box.querySelector(".qz-wt-text").textContent = step.text || "";
    box.querySelector(".qz-wt-prev").disabled = index === 0;
    box.querySelector(".qz-wt-next").textContent = index >= steps.length - 1 ? label("done", "我知道了") : label("next", "下一步");
    clearTarget();
    var target = step.selector ? document.querySelector(step.selector) : null;
    if (target && step.selector === "#mainnav" && !visible(target)) {
      target = document.querySelector(".menu-toggle") || target;
    }
    if (visible(target)) {
      target.classList.add("qz-wt-target");
      lastTarget = target;
      if (target.scrollIntoView) target.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    box.hidden = false;
    box.focus();
  }
  function start() {
    previousFocus = document.activeElement;
    show(0);
  }
  function finish() {
    clearTarget();
    if (box) box.hidden = true;
    remember();
    if (previousFocus && previousFocus.focus) previousFocus.focus();
  }
  document.addEventListener("keydown", function (e) {
    if (box && !box.hidden && e.key === "Escape") finish();
  });
  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-walkthrough-start]") : null;
    if (t) { e.preventDefault(); start(); }
  });
  // ?walkthrough=1 (after "重新开始引导") replays it; otherwise once per user (server flag, with
  // localStorage as a fallback when the "done" request could not reach the server).
  var again = /[?&]walkthrough=1(&|$)/.test(window.location.search);
  var done = false;
  try {
    if (again) window.localStorage.removeItem(storeKey);
    done = window.localStorage.getItem(storeKey) === "1";
  } catch (e) { done = false; }
  if (again || (!data.seen && !done)) start();
  window.qzWalkthrough = { start: start, finish: finish };
})();
