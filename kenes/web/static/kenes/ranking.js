/*
 * Ranking by tapping (progressive enhancement of the numbered ballot).
 *
 * Without this file the ballot is a numbered form: one number box per candidate.
 * With it, tapping a candidate (or Enter/Space on it) gives it the next number, tapping
 * it again takes it off, and a live "your ranking" list has move up / move down / remove
 * buttons. Everything is written into the same number boxes, so the form sent is the
 * same with or without JavaScript. Words come from data-* attributes on #ranking, which
 * the server translated. Plain ES5: it must run on old phone browsers.
 */
(function () {
  "use strict";

  var box = document.getElementById("ranking");
  if (!box || !box.querySelector) { return; }
  var words = box.dataset;
  var lines = Array.prototype.slice.call(box.querySelectorAll(".ballot-line"));
  var summary = box.querySelector(".ranking-summary");
  var list = box.querySelector(".ranking-summary__list");
  var status = box.querySelector(".ranking-summary__status");
  var jsHelp = box.querySelector(".ranking-js-help");

  function fill(text, name, rank) {
    return String(text || "").replace("{name}", name).replace("{rank}", rank);
  }
  function inputOf(line) { return line.querySelector(".ballot-line__rank"); }
  function nameOf(line) { return line.getAttribute("data-name"); }
  function numberOf(line) {
    var value = parseInt(inputOf(line).value, 10);
    return value >= 1 ? value : 0;
  }
  function say(text) {
    // Clearing first makes screen readers repeat an identical announcement.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  /* The order the boxes state: by number, then ballot order; blank boxes are not ranked. */
  function order() {
    return lines.filter(function (line) { return numberOf(line) > 0; }).sort(function (a, b) {
      return (numberOf(a) - numberOf(b)) ||
        (Number(a.getAttribute("data-position")) - Number(b.getAttribute("data-position")));
    });
  }

  /* Write 1, 2, 3 ... into the boxes of `ranked`, blank into the others. */
  function write(ranked) {
    lines.forEach(function (line) { inputOf(line).value = ""; });
    ranked.forEach(function (line, i) { inputOf(line).value = String(i + 1); });
    render();
  }

  function button(label, title, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button--secondary";
    b.textContent = label;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function focusLater(selector) {
    var target = list.querySelector(selector);
    if (target && !target.disabled) { target.focus(); } else if (list.querySelector("button:not([disabled])")) {
      list.querySelector("button:not([disabled])").focus();
    }
  }

  function move(line, step) {
    var ranked = order();
    var i = ranked.indexOf(line);
    var j = i + step;
    if (i < 0 || j < 0 || j >= ranked.length) { return; }
    ranked.splice(i, 1);
    ranked.splice(j, 0, line);
    write(ranked);
    say(fill(words.sayRanked, nameOf(line), j + 1));
    focusLater('[data-for="' + line.getAttribute("data-position") + '"][data-step="' + step + '"]');
  }

  function remove(line) {
    write(order().filter(function (other) { return other !== line; }));
    say(fill(words.sayRemoved, nameOf(line), ""));
    focusLater("button");
  }

  function toggle(line) {
    var ranked = order();
    if (ranked.indexOf(line) >= 0) {
      remove(line);
      line.querySelector(".ballot-line__pick").focus();
      return;
    }
    ranked.push(line);
    write(ranked);
    say(fill(words.sayRanked, nameOf(line), ranked.length));
  }

  function render() {
    var ranked = order();
    list.textContent = "";
    if (!ranked.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = words.labelEmpty || "";
      list.appendChild(empty);
    }
    ranked.forEach(function (line, i) {
      var name = nameOf(line);
      var item = document.createElement("li");
      var title = document.createElement("span");
      title.className = "ranking-summary__name";
      title.textContent = name;
      var buttons = document.createElement("span");
      buttons.className = "ranking-summary__buttons";
      var up = button("\u2191", words.labelUp + ": " + name, function () { move(line, -1); });
      var down = button("\u2193", words.labelDown + ": " + name, function () { move(line, 1); });
      var off = button("\u2715", words.labelRemove + ": " + name, function () { remove(line); });
      up.title = words.labelUp;
      down.title = words.labelDown;
      off.title = words.labelRemove;
      up.disabled = i === 0;
      down.disabled = i === ranked.length - 1;
      [up, down, off].forEach(function (b) { b.setAttribute("data-for", line.getAttribute("data-position")); });
      up.setAttribute("data-step", "-1");
      down.setAttribute("data-step", "1");
      buttons.appendChild(up);
      buttons.appendChild(down);
      buttons.appendChild(off);
      item.appendChild(title);
      item.appendChild(buttons);
      list.appendChild(item);
    });
    lines.forEach(function (line) {
      var pick = line.querySelector(".ballot-line__pick");
      if (pick) { pick.setAttribute("aria-pressed", numberOf(line) > 0 ? "true" : "false"); }
    });
  }

  lines.forEach(function (line) {
    var label = line.querySelector("label.ballot-line__name");
    var pick = document.createElement("button");
    pick.type = "button";
    pick.className = "ballot-line__pick";
    pick.textContent = nameOf(line);
    pick.setAttribute("aria-pressed", "false");
    pick.title = fill(words.labelRank, nameOf(line), "");
    pick.addEventListener("click", function () { toggle(line); });
    // The label stays for screen readers (it names the number box); the button replaces it on screen.
    label.classList.add("visually-hidden");
    label.parentNode.appendChild(pick);
    inputOf(line).addEventListener("input", render);
  });

  if (jsHelp) { jsHelp.hidden = false; }
  summary.hidden = false;
  render();
}());
