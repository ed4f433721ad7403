// The survey form saves itself on every change (htmx posts it, the server answers with the
// form re-rendered). Swapping that in only matters when it changes what is asked: questions
// appear or disappear, or errors come or go. Otherwise the page stays as the person has it,
// so no swap can disturb the focus or a key pressed meanwhile; only "Saved" is updated.
document.addEventListener("htmx:beforeSwap", function (event) {
  var form = event.detail.target;
  if (!form || form.id !== "survey-form" || event.detail.xhr.status !== 200) return;
  var parsed = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
  var incoming = parsed.getElementById("survey-form");
  if (!incoming) return;
  var calm = incoming.dataset.errors === "" && form.dataset.errors === "";
  if (calm && incoming.dataset.visible === form.dataset.visible) {
    event.detail.shouldSwap = false;
    var status = document.getElementById("survey-saved");
    var fresh = incoming.querySelector("#survey-saved");
    if (status && fresh) status.textContent = fresh.textContent;
  }
});
