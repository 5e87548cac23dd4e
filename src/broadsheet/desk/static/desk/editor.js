// The editor, progressively enhanced. Without this script every part still works through the
// form's own buttons (Preview, Save draft, Publish...); with it:
//   - the slug of a new entry follows its title (as the server would make it, "-2" included);
//   - "Insert fold" puts <!--more--> at the cursor;
//   - the preview follows the text as it is typed (rendered by the server, exactly as published);
//   - what is typed is autosaved every 30 seconds and when leaving the page;
//   - tags and authors complete the word being typed after the last comma.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || !window.fetch || !window.FormData) return;

  var AUTOSAVE_EVERY_MS = 30000;
  var PREVIEW_DELAY_MS = 350;
  var SLUG_DELAY_MS = 300;
  var field = function (name) { return form.elements.namedItem(name); };
  var title = field("title"), slug = field("slug"), body = field("body"), format = field("body_format");
  var raw = field("allow_raw_html"), excerpt = field("excerpt"), parent = field("parent");

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function post(url, data) {
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
  }

  // -- slug from title (new entries, until the writer types a slug of their own) -----------------
  if (title && slug) {
    var slugTouched = slug.value !== "";
    slug.addEventListener("input", function () { slugTouched = slug.value !== ""; });
    var slugRequest = 0;
    var fillSlug = debounce(function () {
      if (slugTouched) return;
      var number = ++slugRequest;
      var query = new URLSearchParams({ title: title.value, id: form.dataset.entryId || "" });
      if (parent && parent.value) query.set("parent", parent.value);
      fetch(form.dataset.slugUrl + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && number === slugRequest && !slugTouched) slug.value = data.slug; })
        .catch(function () {});
    }, SLUG_DELAY_MS);
    title.addEventListener("input", fillSlug);
    if (parent) parent.addEventListener("change", fillSlug);
  }

  // -- the fold ------------------------------------------------------------------------------------
  var foldButton = document.getElementById("insert-fold");
  if (foldButton && body) {
    foldButton.hidden = false;
    foldButton.addEventListener("click", function () {
      var start = body.selectionStart, end = body.selectionEnd, text = body.value;
      var before = text.slice(0, start), after = text.slice(end);
      var marker = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") + "<!--more-->" +
        (after && !/^\n\n/.test(after) ? (/^\n/.test(after) ? "\n" : "\n\n") : "");
      body.setRangeText(marker, start, end, "end");
      body.focus();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // -- live preview ---------------------------------------------------------------------------------
  var preview = document.getElementById("preview");
  var previewStatus = document.getElementById("preview-status");
  var previewRequest = 0;
  function refreshPreview() {
    if (!preview || !body) return;
    var number = ++previewRequest;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value);
    data.append("body", body.value);
    data.append("body_format", format ? format.value : "markdown");
    if (raw && raw.checked) data.append("allow_raw_html", "on");
    preview.setAttribute("aria-busy", "true");
    post(form.dataset.previewUrl, data)
      .then(function (response) { return response.text().then(function (text) { return { ok: response.ok, text: text }; }); })
      .then(function (result) {
        if (number !== previewRequest) return;  // a newer preview is on its way
        preview.removeAttribute("aria-busy");
        if (result.ok) {
          // The server rendered and sanitised this exactly as the public page will show it.
          preview.innerHTML = result.text;
          preview.dataset.empty = "false";
          if (previewStatus) previewStatus.textContent = "Updated as you type.";
        } else if (previewStatus) {
          previewStatus.textContent = "The preview could not be updated: " + result.text;
        }
      })
      .catch(function () {
        preview.removeAttribute("aria-busy");
        if (previewStatus) previewStatus.textContent = "The preview could not be updated (no connection?).";
      });
  }
  var schedulePreview = debounce(refreshPreview, PREVIEW_DELAY_MS);
  [body, format, raw].forEach(function (element) {
    if (!element) return;
    element.addEventListener(element === body ? "input" : "change", schedulePreview);
  });
  if (body && body.value.trim() && preview && preview.dataset.empty === "true") refreshPreview();

  // -- autosave ---------------------------------------------------------------------------------------
  var autosaveStatus = document.getElementById("autosave-status");
  function snapshot() {
    return [title, slug, body, excerpt, format].map(function (element) { return element ? element.value : ""; }).join("\u0000");
  }
  var saved = snapshot();
  var submitting = false;
  function autosaveData() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", field("csrfmiddlewaretoken").value);
    ["title", "slug", "body", "excerpt", "body_format"].forEach(function (name) {
      var element = field(name);
      if (element) data.append(name, element.value);
    });
    return data;
  }
  function autosave() {
    var current = snapshot();
    if (submitting || current === saved) return;
    post(form.dataset.autosaveUrl, autosaveData())
      .then(function (response) { return response.json(); })
      .then(function (result) {
        saved = current;
        if (autosaveStatus) autosaveStatus.textContent = result.message || result.error || "";
      })
      .catch(function () { if (autosaveStatus) autosaveStatus.textContent = "Autosave failed (no connection?)."; });
  }
  setInterval(autosave, AUTOSAVE_EVERY_MS);
  form.addEventListener("submit", function () { submitting = true; });
  function autosaveOnLeave() {
    if (submitting || snapshot() === saved || !navigator.sendBeacon) return;
    if (navigator.sendBeacon(form.dataset.autosaveUrl, autosaveData())) saved = snapshot();
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") autosaveOnLeave(); });
  window.addEventListener("pagehide", autosaveOnLeave);

  // -- completing the word after the last comma --------------------------------------------------------
  function lastWord(input) {
    var value = input.value, comma = value.lastIndexOf(",");
    var prefix = comma < 0 ? "" : value.slice(0, comma + 1).replace(/\s*$/, " ");
    return { prefix: prefix, word: value.slice(comma + 1).trim(), taken: value.slice(0, comma + 1).split(",").map(function (part) { return part.trim().toLowerCase(); }) };
  }
  function fill(list, entries) {
    list.replaceChildren.apply(list, entries.map(function (entry) {
      var option = document.createElement("option");
      option.value = entry.value;
      if (entry.label) option.label = entry.label;
      return option;
    }));
  }
  form.querySelectorAll("input[data-complete]").forEach(function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-completions";
    document.body.appendChild(list);
    var source = document.getElementById(input.getAttribute("list"));
    input.setAttribute("list", list.id);
    if (input.dataset.complete === "authors") {
      var authors = source ? Array.prototype.map.call(source.options, function (option) { return { slug: option.value, name: option.textContent }; }) : [];
      input.addEventListener("input", function () {
        var typed = lastWord(input), word = typed.word.toLowerCase();
        fill(list, authors.filter(function (author) {
          return typed.taken.indexOf(author.slug) < 0 && (!word || author.slug.indexOf(word) === 0 || author.name.toLowerCase().indexOf(word) >= 0);
        }).slice(0, 20).map(function (author) { return { value: typed.prefix + author.slug, label: author.name }; }));
      });
    } else {
      var tagRequest = 0;
      var suggest = debounce(function () {
        var typed = lastWord(input), number = ++tagRequest;
        if (!typed.word) { fill(list, []); return; }
        fetch(form.dataset.tagsUrl + "?" + new URLSearchParams({ q: typed.word }).toString(), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { tags: [] }; })
          .then(function (data) {
            if (number !== tagRequest) return;
            fill(list, data.tags.filter(function (name) { return typed.taken.indexOf(name.toLowerCase()) < 0; })
              .map(function (name) { return { value: typed.prefix + name }; }));
          })
          .catch(function () {});
      }, 200);
      input.addEventListener("input", suggest);
    }
  });
})();
