// paperwire: progressive enhancement only. Every page reads and works without it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  // Count a view once the paper page has loaded (crawlers that do not run scripts do not count).
  // The URL is built here from the paper's id, and only from a well-formed one: an id is
  // data, and "../account/..." must not become a request to another page.
  var paper = document.querySelector("article.paper[data-paper]");
  var paperId = paper ? paper.getAttribute("data-paper") : "";
  if (/^[a-z2-7]{10}$/.test(paperId) && token && window.fetch) {
    fetch("/papers/" + encodeURIComponent(paperId) + "/view", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": token }
    }).catch(function () {});
  }

  // Upvote and save without reloading the page; the forms still work without this.
  document.querySelectorAll("form.mark").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var kind = form.getAttribute("data-kind");
      var onField = form.querySelector('input[name="on"]');
      var button = form.querySelector("button");
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new FormData(form),
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 401) { window.location = "/login?next=" + encodeURIComponent(location.pathname); return null; }
        if (!response.ok) { form.submit(); return null; }
        return response.json();
      }).then(function (data) {
        if (!data) { return; }
        var on = data[kind];
        onField.value = on ? "0" : "1";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        if (kind === "upvote") {
          button.innerHTML = "";
          var arrow = document.createElement("span");
          arrow.setAttribute("aria-hidden", "true");
          arrow.textContent = "▲";
          var count = document.createElement("span");
          count.className = "count";
          count.textContent = String(data.upvotes);
          button.append(arrow, " " + (on ? "Upvoted" : "Upvote") + " · ", count);
        } else {
          button.textContent = on ? "Saved" : "Save";
        }
      }).catch(function () { form.submit(); });
    });
  });

  // Digest forms: suggest the browser's time zone while the field still shows the default.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { zone = ""; }
  document.querySelectorAll("input[data-guess-timezone]").forEach(function (input) {
    if (zone && (input.value === "" || input.value === "UTC")) { input.value = zone; }
  });

  // The front page is shared by every visitor, so its subscribe form carries no CSRF
  // token: fetch this session's token on submit. Without scripts, /subscribe shows the
  // form again, filled in and with a token, to press once more.
  document.querySelectorAll("form[data-fetch-csrf]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var field = form.querySelector('input[name="csrf_token"]');
      if (!window.fetch || !field || field.value) { return; }
      event.preventDefault();
      fetch("/subscribe/token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.csrf_token) { field.value = data.csrf_token; }
          form.submit();
        })
        .catch(function () { form.submit(); });
    });
  });
})();
