// The entry form's select2 boxes (keywords, multiple choices) are spans with role="combobox"
// that select2 leaves without an accessible name when they take several values; a screen reader
// announces them as "combobox" only (axe: aria-input-field-name). Each gets the label of the
// field it stands for.
(function () {
  'use strict';

  function nameSelection(selection) {
    if (selection.getAttribute('aria-labelledby') || selection.getAttribute('aria-label')) { return; }
    var container = selection.closest('.select2-container');
    var original = container && container.previousElementSibling;
    if (!original || !original.id) { return; }
    var label = document.querySelector('label[for="' + CSS.escape(original.id) + '"]');
    if (!label) { return; }
    if (!label.id) { label.id = original.id + '-label'; }
    selection.setAttribute('aria-labelledby', label.id);
  }

  function nameAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll('.select2-selection--multiple'), nameSelection);
  }

  nameAll(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      Array.prototype.forEach.call(change.addedNodes, function (node) {
        if (node.nodeType === 1) { nameAll(node.parentNode || node); }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
}());
