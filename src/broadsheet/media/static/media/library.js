// Progressive enhancement for the media library: a "Copy" button under each snippet.
// Without JavaScript the snippets stay selectable text areas.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("textarea.snippet").forEach(function (area) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-snippet";
    button.textContent = "Copy";
    var label = document.querySelector('label[for="' + area.id + '"]');
    button.setAttribute("aria-label", "Copy " + (label ? label.textContent : "snippet"));
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(area.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      });
    });
    area.insertAdjacentElement("afterend", button);
  });
})();
