// The data-item grid of the entry form (templates/scheming/form_snippets/govcatalog_grid.html):
// add and remove rows, take rows pasted from Excel (read and checked by the
// govcatalog_data_items_paste action, which refuses bad rows with the reason), and suggest data
// elements while a name is typed (data_element_suggest). Every control is a button, input or
// select, so the grid works with the keyboard alone.
(function () {
  'use strict';

  function csrfHeaders() {
    var field = document.querySelector('meta[name="csrf_field_name"]');
    var token = field && document.querySelector('meta[name="' + field.content + '"]');
    var headers = { 'Content-Type': 'application/json' };
    if (token) { headers['X-CSRFToken'] = token.content; }
    return headers;
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) {
      return key in values ? values[key] : m;
    });
  }

  function Grid(root) {
    this.root = root;
    this.field = root.dataset.gridField;
    this.body = root.querySelector('tbody');
    this.template = root.querySelector('template[data-grid-template]');
    this.status = root.querySelector('[role="status"]');
    this.refused = root.querySelector('.govcatalog-grid-refused');
    this.paste = root.querySelector('textarea');
    var self = this;
    root.querySelector('[data-grid-add]').addEventListener('click', function () {
      var row = self.addRow();
      var first = row.querySelector('input, select');
      if (first) { first.focus(); }
    });
    root.querySelector('[data-grid-paste]').addEventListener('click', function () {
      self.readPaste(self.paste.value);
    });
    this.body.addEventListener('click', function (event) {
      var button = event.target.closest('[data-grid-remove]');
      if (button) { self.removeRow(button.closest('tr')); }
    });
    // A paste of several cells straight into the grid goes through the same check.
    this.body.addEventListener('paste', function (event) {
      var text = (event.clipboardData || window.clipboardData).getData('text');
      if (text && (text.indexOf('\t') >= 0 || text.trim().indexOf('\n') >= 0)) {
        event.preventDefault();
        self.readPaste(text);
      }
    });
    this.suggestTimer = null;
    this.body.addEventListener('input', function (event) {
      if (!event.target.dataset.suggest) { return; }
      // an emptied name takes its automatic element with it at once (the row is then empty)
      if (!event.target.value.trim()) { self.dropAutoElement(event.target.closest('tr')); }
      self.suggestSoon(event.target);
    });
    // A suggested element picked by a click is put in the row's data-element cell.
    this.body.addEventListener('click', function (event) {
      var pick = event.target.closest('[data-element-pick]');
      if (pick) { self.chooseElement(pick.closest('tr'), pick.dataset.elementPick, false); }
    });
    this.body.addEventListener('change', function (event) {
      var cell = event.target.closest('[data-column="element_id"]');
      if (cell) { self.showSource(event.target.closest('tr'), event.target.value.trim()); }
    });
  }

  Grid.prototype.rows = function () {
    return Array.prototype.slice.call(this.body.querySelectorAll('tr'));
  };

  Grid.prototype.isEmpty = function (row) {
    return Array.prototype.every.call(row.querySelectorAll('input, select'), function (el) {
      return !el.value;
    });
  };

  Grid.prototype.addRow = function () {
    var index = this.rows().length;
    var html = this.template.innerHTML
      .replace(/ROWINDEX/g, String(index)).replace(/ROWNUMBER/g, String(index + 1));
    this.body.insertAdjacentHTML('beforeend', html);
    var row = this.body.lastElementChild;
    Array.prototype.forEach.call(row.querySelectorAll('[data-name]'), function (el) {
      el.setAttribute('name', el.getAttribute('data-name'));
      el.removeAttribute('data-name');
    });
    return row;
  };

  // Rows are numbered again after a removal, so the posted indexes stay 0..n-1 in order.
  Grid.prototype.renumber = function () {
    var field = this.field;
    this.rows().forEach(function (row, i) {
      var old = row.dataset.row;
      row.dataset.row = String(i);
      row.querySelector('th').textContent = String(i + 1);
      Array.prototype.forEach.call(row.querySelectorAll('[id],[name],[list],[aria-labelledby],[aria-describedby]'), function (el) {
        ['id', 'name', 'list', 'aria-labelledby', 'aria-describedby'].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) {
            el.setAttribute(attr, value.split(field + '-' + old + '-').join(field + '-' + i + '-')
              .split(field + '__' + old + '__').join(field + '__' + i + '__')
              .split('-row-' + old).join('-row-' + i));
          }
        });
      });
      var remove = row.querySelector('[data-grid-remove]');
      remove.setAttribute('aria-label', remove.getAttribute('aria-label').replace(/\d+/, String(i + 1)));
    });
  };

  Grid.prototype.removeRow = function (row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    this.renumber();
    var focus = next && next.querySelector('[data-grid-remove]');
    (focus || this.root.querySelector('[data-grid-add]')).focus();
  };

  Grid.prototype.fill = function (row, values) {
    Object.keys(values).forEach(function (name) {
      var el = row.querySelector('[data-column="' + name + '"] input, [data-column="' + name + '"] select');
      if (el) { el.value = values[name]; }
    });
  };

  Grid.prototype.readPaste = function (text) {
    var self = this;
    var root = this.root;
    if (!text || !text.trim()) { return; }
    fetch(root.dataset.pasteUrl, {
      method: 'POST', credentials: 'same-origin', headers: csrfHeaders(),
      body: JSON.stringify({ text: text }),
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (!answer.success) { throw new Error('refused'); }
      var result = answer.result;
      // Pasted rows fill the empty rows first, then new ones are added.
      var empty = self.rows().filter(function (r) { return self.isEmpty(r); });
      result.rows.forEach(function (values) {
        var row = empty.shift() || self.addRow();
        self.fill(row, values);
        // pasted rows get their data element suggested as typed ones do
        var nameInput = row.querySelector('[data-suggest]');
        if (nameInput && nameInput.value && !values.element_id) { self.suggest(nameInput); }
      });
      self.refused.innerHTML = '';
      var refusedRows = {};
      result.errors.forEach(function (e) {
        var li = document.createElement('li');
        li.textContent = format(root.dataset.msgRow, { n: e.row }) + '：' + e.message;
        self.refused.appendChild(li);
        refusedRows[e.row] = true;
      });
      var message = format(root.dataset.msgAdded, { n: result.rows.length });
      var refusedCount = Object.keys(refusedRows).length;
      if (refusedCount) { message += ' ' + format(root.dataset.msgRefused, { n: refusedCount }); }
      self.status.textContent = message;
      if (!refusedCount && self.paste.value === text) { self.paste.value = ''; }
    }).catch(function () {
      self.status.textContent = root.dataset.msgFailed;
    });
  };

  Grid.prototype.suggestSoon = function (input) {
    var self = this;
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(function () { self.suggest(input); }, 300);
  };

  Grid.prototype.cellInput = function (row, column) {
    return row.querySelector('[data-column="' + column + '"] input, [data-column="' + column + '"] select');
  };

  // The data-element cell holds the element's id; a suggestion marked auto fills it (shown and
  // changeable: the officer reviews it), others are offered as buttons under it.
  Grid.prototype.chooseElement = function (row, elementId, auto) {
    var input = this.cellInput(row, 'element_id');
    if (!input) { return; }
    input.value = elementId;
    if (auto) { input.dataset.auto = '1'; } else { delete input.dataset.auto; }
    this.showSource(row, elementId);
  };

  Grid.prototype.dropAutoElement = function (row) {
    var input = this.cellInput(row, 'element_id');
    if (input && input.dataset.auto) { this.chooseElement(row, '', false); }
    this.renderSuggestions(row, []);
  };

  Grid.prototype.renderSuggestions = function (row, suggestions) {
    var cell = row.querySelector('[data-column="element_id"]');
    if (!cell) { return; }
    var root = this.root;
    var list = cell.querySelector('.govcatalog-element-suggestions');
    if (!list) {
      list = document.createElement('ul');
      list.className = 'govcatalog-element-suggestions';
      cell.appendChild(list);
    }
    list.innerHTML = '';
    suggestions.forEach(function (s) {
      var li = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-link btn-sm p-0';
      button.dataset.elementPick = s.id;
      button.textContent = format(root.dataset.msgElementOption, {
        name: s.name, identifier: s.identifier, id: s.id,
        confidence: Math.round(s.confidence * 100),
      }) + (s.auto ? ' · ' + root.dataset.msgElementAuto : '');
      li.appendChild(button);
      list.appendChild(li);
    });
  };

  // When the chosen element's 数源部门 is another department, the officer is told what is true
  // for them (一数一源): the source's entry they may see and its share level, with the way to
  // obtain it (the entry, or the request form), or that it is not shared. The server composes
  // the note (elements/views.py source_note) from what this reader may see, in their language.
  Grid.prototype.showSource = function (row, elementId) {
    var cell = row.querySelector('[data-column="element_id"]');
    if (!cell) { return; }
    var note = cell.querySelector('.govcatalog-element-source');
    if (note) { note.remove(); }
    if (!elementId) { return; }
    var status = this.status;
    var owner = document.querySelector('[name="owner_org"]');
    // the page's language prefix (CKAN's locale-root meta), kept as a path: same origin
    var localeRoot = document.querySelector('meta[name="locale-root"]');
    var root = localeRoot ? new URL(localeRoot.content, window.location.href).pathname : '/';
    var url = root.replace(/\/?$/, '/') + 'data-element/' + encodeURIComponent(elementId) + '/source-note';
    if (owner && owner.value) { url += '?owner_org=' + encodeURIComponent(owner.value); }
    fetch(url, { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        var input = cell.querySelector('input');
        if (!input || input.value.trim().toUpperCase() !== elementId.toUpperCase()) { return; }  // changed meanwhile
        var old = cell.querySelector('.govcatalog-element-source');
        if (old) { old.remove(); }
        if (!answer.note) { return; }
        var p = document.createElement('p');
        p.className = 'govcatalog-element-source';
        if (answer.share_type) { p.dataset.shareType = answer.share_type; }
        p.appendChild(document.createTextNode(answer.note));
        if (answer.link) {
          var a = document.createElement('a');
          a.href = answer.link.href;
          a.target = '_blank';
          a.rel = 'noopener';
          a.textContent = answer.link.label;
          p.appendChild(document.createTextNode(' '));
          p.appendChild(a);
        }
        cell.appendChild(p);
        status.textContent = answer.note;
      }).catch(function () { /* a help only */ });
  };

  // Suggestions are offered as the name input's datalist (the element's standard name may
  // replace what was typed) and, with their confidence, as choices in the data-element cell.
  Grid.prototype.suggest = function (input) {
    var self = this;
    var name = input.value.trim();
    var list = document.getElementById(input.getAttribute('list'));
    if (!list || name.length < 2) { return; }
    var row = input.closest('tr');
    var url = this.root.dataset.suggestUrl + '?limit=5&name=' + encodeURIComponent(name);
    var type = this.cellInput(row, 'data_type');
    var length = this.cellInput(row, 'length');
    if (type && type.value) { url += '&data_type=' + encodeURIComponent(type.value); }
    if (length && length.value) { url += '&length=' + encodeURIComponent(length.value); }
    var status = this.status;
    var template = this.root.dataset.msgSuggested;
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (answer) {
        if (!answer.success) { return; }
        self.renderSuggestions(row, answer.result);
        var element = self.cellInput(row, 'element_id');
        var top = answer.result[0];
        if (element && (!element.value || element.dataset.auto)) {
          if (top && top.auto) {
            self.chooseElement(row, top.id, true);
          } else if (element.dataset.auto) {
            self.chooseElement(row, '', false);
          }
        }
        list.innerHTML = '';
        var names = [];
        answer.result.forEach(function (s) {
          if (s.name === name) { return; }
          var option = document.createElement('option');
          option.value = s.name;
          option.label = s.identifier ? s.name + '（' + s.identifier + '）' : s.name;
          list.appendChild(option);
          names.push(s.name);
        });
        if (names.length) { status.textContent = format(template, { names: names.join('、') }); }
      }).catch(function () { /* suggestions are a help; typing goes on without them */ });
  };

  document.querySelectorAll('[data-grid-field]').forEach(function (root) { new Grid(root); });
}());
