/* The comment form's progressive enhancements (everything works without them):
 * 1. fill name, email and website from the cookie saved with the writer's consent
 *    (pages are cached for everyone, so the server never fills them in);
 * 2. ask the server for a signed time stamp when the form is first used
 *    (the minimum fill time defence), and a CSRF token for signed-in users;
 * 3. move the form under a comment when its Reply link is used, and back on Cancel.
 */
(function () {
  "use strict";
  var form = document.getElementById("commentform");
  var respond = document.getElementById("respond");
  if (!form || !respond) {
    return;
  }
  var parentField = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var title = document.getElementById("reply-title");

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var at = parts[i].indexOf("=");
      if (parts[i].slice(0, at) === name) {
        return parts[i].slice(at + 1);
      }
    }
    return null;
  }

  var saved = readCookie("broadsheet_commenter");
  if (saved && form.elements.author) {
    try {
      var data = JSON.parse(decodeURIComponent(saved));
      [["author", data.name], ["email", data.email], ["url", data.url]].forEach(function (pair) {
        var field = form.elements[pair[0]];
        if (field && !field.value && typeof pair[1] === "string") {
          field.value = pair[1];
        }
      });
      var consent = form.elements["wp-comment-cookies-consent"];
      if (consent) {
        consent.checked = true;
      }
    } catch (error) {
      /* an unreadable cookie: leave the form empty */
    }
  }

  var stamped = false;
  function stamp() {
    if (stamped || !window.fetch) {
      return;
    }
    stamped = true;
    window.fetch(form.getAttribute("data-stamp-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) {
          return;
        }
        form.elements.comment_stamp.value = answer.stamp || "";
        if (answer.csrf && !form.elements.csrfmiddlewaretoken) {
          var token = document.createElement("input");
          token.type = "hidden";
          token.name = "csrfmiddlewaretoken";
          token.value = answer.csrf;
          form.appendChild(token);
        }
      })
      .catch(function () { stamped = false; });
  }
  form.addEventListener("focusin", stamp);

  var home = document.createElement("div");
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".comment-reply-link") : null;
    if (!link) {
      return;
    }
    var item = document.getElementById("comment-" + link.getAttribute("data-comment-id"));
    var body = item ? item.querySelector(".comment-body") : null;
    if (!body) {
      return;
    }
    event.preventDefault();
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentField.value = link.getAttribute("data-comment-id");
    title.textContent = "Reply to " + link.getAttribute("data-author");
    cancel.hidden = false;
    form.elements.comment.focus();
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentField.value = "0";
    title.textContent = title.getAttribute("data-default-title");
    cancel.hidden = true;
    form.elements.comment.focus();
  });
})();
