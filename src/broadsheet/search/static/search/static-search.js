/* Search on a static copy of the site (broadsheet build): no server answers /?s=, so the
 * /search/ page reads ?s= itself, loads the index the build wrote (search/index.json: each
 * listed entry's title, address, date, excerpt, byline, categories and tags) and lists the
 * entries that hold every word, titles first, then newest first. Everything is inserted as
 * text (textContent), never as HTML.
 */
(function () {
  "use strict";
  var box = document.getElementById("static-search");
  if (!box) {
    return;
  }
  var PAGE = 20;
  var query = new URLSearchParams(window.location.search).get("s") || "";
  var field = document.getElementById("search-field-main");
  if (field) {
    field.value = query;
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(function (word) { return word.length > 0; });
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function say(text) {
    box.replaceChildren(element("p", "search-count", text));
  }

  function show(found, shown) {
    var count = element("p", "search-count", found.length + (found.length === 1 ? " result" : " results"));
    box.replaceChildren(count);
    found.slice(0, shown).forEach(function (entry) {
      var article = element("article", "search-result");
      var heading = element("h2", "entry-title");
      var link = element("a", "", entry.title);
      link.href = entry.url;
      heading.appendChild(link);
      article.appendChild(heading);
      if (entry.date) {
        var meta = element("p", "entry-meta");
        var time = element("time", "", entry.shown_date);
        time.setAttribute("datetime", entry.date);
        meta.appendChild(time);
        if (entry.by) {
          meta.appendChild(document.createTextNode(" · by " + entry.by));
        }
        article.appendChild(meta);
      }
      article.appendChild(element("p", "search-snippet", entry.text));
      box.appendChild(article);
    });
    if (found.length > shown) {
      var more = element("button", "search-more", "Show more results");
      more.type = "button";
      more.addEventListener("click", function () { show(found, shown + PAGE); });
      box.appendChild(more);
    }
  }

  var wanted = words(query);
  if (wanted.length === 0) {
    say("Type some words to search the site.");
    return;
  }
  document.title = "Search results for \u201c" + query + "\u201d \u2013 " + document.title.split(" \u2013 ").pop();
  var heading = document.querySelector(".listing-title");
  if (heading) {
    heading.textContent = "Search results for \u201c" + query + "\u201d";
  }
  say("Searching\u2026");
  fetch(box.getAttribute("data-index"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (index) {
      var found = [];
      index.entries.forEach(function (entry, position) {
        var title = words(entry.title);
        var all = title.concat(words(entry.text), words(entry.by), words(entry.terms.join(" ")));
        var inTitle = 0;
        var every = wanted.every(function (word) {
          if (title.some(function (have) { return have.startsWith(word); })) {
            inTitle += 1;
            return true;
          }
          return all.some(function (have) { return have.startsWith(word); });
        });
        if (every) {
          found.push({ entry: entry, inTitle: inTitle, position: position });
        }
      });
      found.sort(function (a, b) { return b.inTitle - a.inTitle || a.position - b.position; });
      if (found.length === 0) {
        say("Nothing matched your search. Try other words.");
        return;
      }
      show(found.map(function (hit) { return hit.entry; }), PAGE);
    })
    .catch(function () {
      say("The search index could not be loaded.");
    });
})();
