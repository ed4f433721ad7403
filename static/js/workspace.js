// Keyboard shortcuts for the phoners' workspace: a key clicks the button marked
// data-shortcut="<key>" or focuses the field marked data-shortcut-focus="<key>".
// Keys typed into a field are left alone; Escape leaves the field.
(function () {
  "use strict";
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (typing(event.target)) return;
    var key = event.key.toLowerCase();
    var focus = document.querySelector('[data-shortcut-focus="' + key + '"]');
    if (focus) { event.preventDefault(); focus.focus(); return; }
    var button = document.querySelector('[data-shortcut="' + key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
