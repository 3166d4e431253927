// The entry form's select2 boxes (keywords, multiple choices) are spans with role="combobox"
// that select2 leaves without an accessible name when they take several values; a screen reader
// announces them as "combobox" only (axe: aria-input-field-name). Each gets the label of the
// field it stands for, and so does the search box select2 puts inside it.
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
    // select2's own search box inside it is labelled "Search" in English whatever the page's
    // language: it takes the field's name instead (what a screen reader says on reaching it)
    var search = container.querySelector('.select2-search__field');
    if (search) {
      search.setAttribute('aria-label', label.textContent.replace('*', '').replace(/[:：]\s*$/, '').trim());
    }
  }

  // select2 titles the × of each chosen keyword "Remove item" in English: the form gives the
  // words (templates/scheming/package/snippets/package_form.html), with the keyword named
  var messages = document.getElementById('govcatalog-form-messages');
  var removeText = messages && messages.getAttribute('data-remove-item');

  function nameRemoveButton(button) {
    if (!removeText) { return; }
    var choice = button.closest('.select2-selection__choice');
    var item = choice ? (choice.getAttribute('title') || choice.textContent.replace('×', '').trim()) : '';
    var text = removeText.replace('{item}', item);
    button.setAttribute('aria-label', text);
    button.setAttribute('title', text);
  }

  function nameAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll('.select2-selection--multiple'), nameSelection);
    Array.prototype.forEach.call(root.querySelectorAll('.select2-selection__choice__remove'), nameRemoveButton);
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
